import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { copyFileSync, existsSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { terminal, tmuxMissing } from "../helpers/tmux.js";
import { passphraseOptions } from "../helpers/key-passphrase.js";

const temp = tempDirs();
const missing = sshdMissing();
if (missing) console.warn(`skipping the SSH login tests: ${missing}`);
const noTerminal = missing ?? tmuxMissing();

/** A copy of `key` (and its .pub) under a passphrase, in a folder of its own. */
function encrypted(key: string, passphrase: string): { key: string; pub: string } {
  const copy = join(temp("wxdev-encrypted-"), "key");
  copyFileSync(key, copy);
  copyFileSync(`${key}.pub`, `${copy}.pub`);
  execFileSync("ssh-keygen", ["-q", "-p", ...passphraseOptions(passphrase), "-f", copy]);
  return { key: copy, pub: `${copy}.pub` };
}

/** A new key pair the server does not know. */
function strangerKey(passphrase: string): { key: string; pub: string } {
  const key = join(temp("wxdev-stranger-"), "key");
  execFileSync("ssh-keygen", ["-q", "-t", "ecdsa", ...passphraseOptions(passphrase), "-f", key]);
  return { key, pub: `${key}.pub` };
}

/** A fresh HOME with ~/.ssh and, optionally, files in it (name → content or a path to copy). */
function home(files: Record<string, string> = {}): string {
  const dir = temp("wxdev-login-home-");
  mkdirSync(join(dir, ".ssh"), { mode: 0o700 });
  for (const [name, content] of Object.entries(files)) {
    const path = join(dir, name);
    mkdirSync(join(path, ".."), { recursive: true });
    if (existsSync(content)) copyFileSync(content, path);
    else writeFileSync(path, content);
  }
  return dir;
}

describe.skipIf(missing !== undefined)("SSH logs in as OpenSSH does (real sshd)", () => {
  let sshd: TestSshd;
  let agent: ChildProcess | undefined;
  let agentSocket: string;
  const remoteDir = "~/login-test";

  /** `wxdev exec NAME -- whoami` from a project whose servers are `servers`, with HOME `home`. */
  async function whoami(servers: Record<string, unknown>, env: Record<string, string>, flags: string[] = []) {
    const dir = temp("wxdev-login-project-");
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers }));
    const name = Object.keys(servers)[0] ?? "";
    return runMain(["exec", name, "--yes", ...flags, "--", "whoami"], { cwd: dir, env, timeoutMs: 20_000 });
  }

  beforeAll(async () => {
    sshd = await startSshd();
    sshd.run(`mkdir -p ${remoteDir}`);
    const dir = temp("wxdev-agent-");
    agentSocket = join(dir, "agent.sock");
    agent = spawn("ssh-agent", ["-D", "-a", agentSocket], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(agentSocket); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    execFileSync("ssh-add", ["-q", sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: agentSocket } });
  }, 30_000);
  afterAll(async () => {
    agent?.kill();
    await sshd?.stop();
  });

  const plain = (): Record<string, unknown> => ({ host: sshd.host, port: sshd.port, username: sshd.user, remoteDir });

  it("the agent (SSH_AUTH_SOCK) logs in with no key file and no password; without it, nothing to try", async () => {
    const withAgent = await whoami({ s8013: plain() }, { HOME: home(), SSH_AUTH_SOCK: agentSocket });
    expect(withAgent).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
    const without = await whoami({ s8013: plain() }, { HOME: home() });
    expect(without.code).toBe(1);
    expect(without.stderr).toMatch(/authentication failed .*tried: nothing/);
  });

  it("a default key in ~/.ssh (as after ssh-copy-id) logs in without a password", async () => {
    const result = await whoami({ s8013: plain() }, { HOME: home({ ".ssh/id_ed25519": sshd.clientKey }) });
    expect(result).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
  });

  it("an encrypted default key: its passphrase (WXDEV_SSH_PASSPHRASE) unlocks it; a wrong one is refused", async () => {
    const { key, pub } = encrypted(sshd.clientKey, "correct horse");
    const files = { ".ssh/id_ed25519": key, ".ssh/id_ed25519.pub": pub };
    const unlocked = await whoami({ s8013: plain() }, { HOME: home(files), WXDEV_SSH_PASSPHRASE: "correct horse" });
    expect(unlocked).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
    const wrong = await whoami({ s8013: plain() }, { HOME: home(files), WXDEV_SSH_PASSPHRASE: "wrong horse!" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/authentication failed .*tried: ~\/\.ssh\/id_ed25519\)/);
    expect(wrong.stderr).not.toContain("wrong horse!");
  });

  it("a ~/.ssh/config Host entry gives HostName, User, Port and IdentityFile to an alias", async () => {
    const config =
      `Host classbox\n  HostName ${sshd.host}\n  User ${sshd.user}\n  Port ${sshd.port}\n` +
      "  IdentityFile ~/keys/class_key\n";
    const result = await whoami(
      { s8013: { host: "classbox", remoteDir } },
      { HOME: home({ ".ssh/config": config, "keys/class_key": sshd.clientKey }) },
    );
    expect(result).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
  });

  it("the Host entry named after the server (ssh s8013) applies when its HostName is the configured host", async () => {
    const config = `Host s8013\n  HostName ${sshd.host}\n  Port ${sshd.port}\n  IdentityFile ~/keys/class_key\n`;
    // As wxdev init writes it: the host's address and the account, no port.
    const server = { host: sshd.host, username: sshd.user, remoteDir };
    const files = { ".ssh/config": config, "keys/class_key": sshd.clientKey };
    const result = await whoami({ s8013: server }, { HOME: home(files) });
    expect(result).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
    const other = await whoami({ s8014: server }, { HOME: home(files) });
    expect(other.code).toBe(1);
    expect(other.stderr).toContain(`cannot connect to ${sshd.user}@${sshd.host}:22`);
  });

  it("wxdev.config.json wins over ~/.ssh/config, and the flags over both", async () => {
    const config = "Host classbox\n  HostName 127.0.0.1\n  User nobody\n  Port 1\n  IdentityFile ~/.ssh/no_such_key\n";
    const env = { HOME: home({ ".ssh/config": config }) };
    const fromFile = { host: "classbox", port: sshd.port, username: sshd.user, privateKey: sshd.clientKey, remoteDir };
    expect(await whoami({ s8013: fromFile }, env)).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });

    const sshConfigOnly = await whoami({ s8013: { host: "classbox", remoteDir } }, env);
    expect(sshConfigOnly.code).toBe(1);
    expect(sshConfigOnly.stderr).toContain("cannot connect to nobody@127.0.0.1:1");

    const wrongInFile = { host: "classbox", port: 1, username: "nobody", privateKey: "/no/such/key", remoteDir };
    const flags = ["--ssh-port", String(sshd.port), "--user", sshd.user, "-i", sshd.clientKey];
    expect(await whoami({ s8013: wrongInFile }, env, flags)).toMatchObject({ code: 0, stdout: `${sshd.user}\n` });
    const portOnly = await whoami({ s8013: wrongInFile }, env, ["--ssh-port", String(sshd.port)]);
    expect(portOnly.code).toBe(2);
    expect(portOnly.stderr).toContain("cannot read the private key /no/such/key");
  });
});

describe.skipIf(noTerminal !== undefined)("the passphrase prompt on a real terminal (tmux, real sshd)", () => {
  let sshd: TestSshd;
  let dir: string;
  const { tmux, screen, waitFor, kill } = terminal("wxdev-passphrase");

  beforeAll(async () => {
    sshd = await startSshd();
    sshd.run("mkdir -p ~/login-test");
    dir = temp("wxdev-passphrase-project-");
    const server = { host: sshd.host, port: sshd.port, username: sshd.user, remoteDir: "~/login-test" };
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
  }, 30_000);
  afterAll(async () => {
    kill();
    await sshd?.stop();
  });

  /** `wxdev exec s8013 -- whoami` in a terminal, HOME holding a stranger's id_ecdsa and our id_ed25519, both locked. */
  function start(session: string): void {
    const ours = encrypted(sshd.clientKey, "ours-secret");
    const theirs = strangerKey("theirs-secret");
    const files = { ".ssh/id_ed25519": ours.key, ".ssh/id_ed25519.pub": ours.pub };
    const clientHome = home({ ...files, ".ssh/id_ecdsa": theirs.key, ".ssh/id_ecdsa.pub": theirs.pub });
    const env = `env -i PATH=${JSON.stringify(process.env.PATH ?? "")} HOME=${clientHome} NO_COLOR=1 TERM=xterm`;
    const command = `${env} ${process.execPath} ${BIN} exec s8013 --yes -- whoami; echo "exit=$?"; sleep 600`;
    tmux("new-session", "-d", "-s", session, "-x", "200", "-y", "50", "-c", dir, command);
  }

  it("asks once, hidden, for the key the server accepts only (as ssh); the typed passphrase logs in", async () => {
    start("typed");
    await waitFor("typed", /Enter passphrase for key '~\/\.ssh\/id_ed25519': $/m);
    tmux("send-keys", "-t", "typed", "-l", "ours-secret");
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(screen("typed")).not.toContain("ours-secret");
    tmux("send-keys", "-t", "typed", "Enter");
    const text = await waitFor("typed", /exit=\d+/);
    expect(text).toMatch(new RegExp(`^${sshd.user}\n(?:.*\n)*exit=0`, "m"));
    expect(text.match(/passphrase/g)).toHaveLength(1);
    expect(text).not.toContain("id_ecdsa");
  }, 40_000);

  it("Enter at the passphrase prompt skips the key, as ssh does: the password is asked next", async () => {
    start("skipped");
    await waitFor("skipped", /Enter passphrase for key '~\/\.ssh\/id_ed25519': $/m);
    tmux("send-keys", "-t", "skipped", "Enter");
    await waitFor("skipped", /password: $/m);
    tmux("send-keys", "-t", "skipped", "-l", "--", sshd.password);
    tmux("send-keys", "-t", "skipped", "Enter");
    expect(await waitFor("skipped", /exit=\d+/)).toMatch(/exit=0/);
  }, 40_000);
});
