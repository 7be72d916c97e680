import { randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { terminal, tmuxMissing } from "../helpers/tmux.js";
import { sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";

const missing = sshdMissing() ?? tmuxMissing();
if (missing) console.warn(`skipping the SSH prompt tests: ${missing}`);

const { tmux, screen, waitFor, kill: killTerminal } = terminal("wxdev-test");

describe.skipIf(missing !== undefined)("SSH prompts under a real terminal", () => {
  let sshd: TestSshd;
  let dir: string;
  let homes: string;

  beforeAll(async () => {
    sshd = await startSshd();
    dir = mkdtempSync(join(tmpdir(), "wxdev-prompt-"));
    homes = mkdtempSync(join(tmpdir(), "wxdev-prompt-homes-"));
    const server = {
      host: sshd.host,
      port: sshd.port,
      username: sshd.user,
      remoteDir: `~/prompted-${randomBytes(4).toString("hex")}`,
    };
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
    writeFileSync(join(dir, "wechat.py"), "print('hi')\n");
  }, 30_000);
  afterAll(async () => {
    killTerminal();
    await sshd?.stop();
    for (const path of [dir, homes]) if (path !== undefined) rmSync(path, { recursive: true, force: true });
  });

  /** Starts `wxdev deploy s8013 …` in a fresh terminal with a fresh HOME (no known_hosts, no agent, no secrets). */
  function start(session: string, args: string[]): void {
    const home = mkdtempSync(join(homes, "home-"));
    const env = `env -i PATH=${JSON.stringify(process.env.PATH ?? "")} HOME=${home} NO_COLOR=1 TERM=xterm`;
    const command = `${env} ${process.execPath} ${BIN} deploy s8013 ${args.join(" ")}; echo "exit=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", "-c", dir, command);
  }

  it("Ctrl-D at the host-key question refuses the key at once, in one line, exit 2", async () => {
    start("hostkey", []);
    await waitFor("hostkey", /continue connecting \(yes\/no\)\?/, 15_000);
    const sent = Date.now();
    tmux("send-keys", "-t", "hostkey", "C-d");
    const text = await waitFor("hostkey", /exit=\d+/, 10_000);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(text).toMatch(/exit=2/);
    const after = text.slice(text.indexOf("(yes/no)?"));
    expect(after.match(/^wxdev: .*$/gm)).toEqual([
      "wxdev: host key not accepted — compare the fingerprint with the server's, then answer yes",
    ]);
  }, 40_000);

  it("Ctrl-D at the password prompt ends the login at once, in one line naming what was missing", async () => {
    start("password", ["--yes"]);
    await waitFor("password", /password:\s*$/m, 15_000);
    const sent = Date.now();
    tmux("send-keys", "-t", "password", "C-d");
    const text = await waitFor("password", /exit=\d+/, 10_000);
    expect(Date.now() - sent).toBeLessThan(5_000);
    expect(text).toMatch(/exit=2/);
    expect(text.match(/^wxdev: .*$/gm)).toEqual([
      `wxdev: password for ${sshd.user}@127.0.0.1: none given (the prompt was closed) — ` +
        "run again and type it, or set it beforehand",
    ]);
  }, 40_000);

  it("Ctrl-C at the password prompt stops the deploy as Ctrl-C does: the live release unchanged, exit 130", async () => {
    start("interrupt", ["--yes"]);
    await waitFor("interrupt", /password:\s*$/m, 15_000);
    tmux("send-keys", "-t", "interrupt", "C-c");
    const text = await waitFor("interrupt", /exit=\d+/, 10_000);
    expect(text).toMatch(/exit=130/);
    // One line, in the form of every other error: "wxdev: …", not "error: …".
    expect(text.slice(text.indexOf("password:") + 9).match(/^\w+: .*$/gm)).toEqual([
      "wxdev: interrupted: the live release is unchanged",
    ]);
    expect(text).not.toContain("none given");
  }, 40_000);

  it("the hidden password prompt stays on screen, echoes nothing, and the typed password logs in", async () => {
    start("typed", ["--yes"]);
    await waitFor("typed", /password:\s*$/m, 15_000);
    // "--": a random password may start with "-", which tmux would read as a flag.
    tmux("send-keys", "-t", "typed", "-l", "--", sshd.password);
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen("typed")).not.toContain(sshd.password);
    tmux("send-keys", "-t", "typed", "Enter");
    const text = await waitFor("typed", /exit=\d+/, 30_000);
    expect(text).toMatch(/exit=0/);
    expect(text).toMatch(/^uploaded 1 file/m);
  }, 40_000);

  it("a wrong password is asked again, as ssh does: the second try logs in; three wrong ones fail", async () => {
    start("retry", ["--yes"]);
    await waitFor("retry", /password:\s*$/m, 15_000);
    tmux("send-keys", "-t", "retry", "-l", "wrong-password");
    tmux("send-keys", "-t", "retry", "Enter");
    await waitFor("retry", /Permission denied, please try again\.\n.*password:\s*$/m, 15_000);
    tmux("send-keys", "-t", "retry", "-l", sshd.password);
    tmux("send-keys", "-t", "retry", "Enter");
    const text = await waitFor("retry", /exit=\d+/, 30_000);
    expect(text).toMatch(/exit=0/);
    expect(text).toMatch(/^uploaded \d+ files? /m);

    start("thrice", ["--yes"]);
    for (let attempt = 0; attempt < 3; attempt++) {
      // The (attempt + 1)th prompt, waiting at the end of the screen.
      await waitFor("thrice", new RegExp(`^(?:[\\s\\S]*password:){${attempt + 1}}\\s*$`), 15_000);
      tmux("send-keys", "-t", "thrice", "-l", `wrong-${attempt}`);
      tmux("send-keys", "-t", "thrice", "Enter");
    }
    const failed = await waitFor("thrice", /exit=\d+/, 30_000);
    expect(failed).toMatch(/exit=1/);
    // The prompts, each on its own line (the error's advice says "password:" too).
    expect(failed.match(/'s password:\s*$/gm)).toHaveLength(3);
    expect(failed).toMatch(/authentication failed .*tried: password, password, password/);
  }, 90_000);
});
