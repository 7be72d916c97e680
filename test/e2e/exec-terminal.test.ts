import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { terminal, tmuxMissing } from "../helpers/tmux.js";

const temp = tempDirs();
const missing = sshdMissing();
if (missing) console.warn(`skipping the exec stdin and terminal tests: ${missing}`);
const noTerminal = missing ?? tmuxMissing();

describe.skipIf(missing !== undefined)(
  "exec and ssh: stdin, and a terminal for interactive programs (real sshd)",
  () => {
    let sshd: TestSshd;
    let dir: string;
    let clientHome: string;
    const env = (): Record<string, string> => ({ HOME: clientHome });
    const wx = (args: string[], input?: string) => runMain(args, { cwd: dir, env: env(), input, timeoutMs: 20_000 });
    const { tmux, waitFor, kill } = terminal("wxdev-exec");

    beforeAll(async () => {
      sshd = await startSshd();
      sshd.run("mkdir -p ~/term-test && python3 -m venv --without-pip ~/venvs/term");
      dir = temp("wxdev-exec-project-");
      clientHome = temp("wxdev-exec-home-");
      const server = serverEntry(sshd, "term-test", { venv: "~/venvs/term" });
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
      // Trust the host key once, so the terminal sessions below ask nothing.
      expect((await wx(["exec", "s8013", "--yes", "--", "true"])).code).toBe(0);
    }, 30_000);
    afterAll(async () => {
      kill();
      await sshd?.stop();
    });

    it("exec forwards stdin: echo hi | wxdev exec s8013 -- cat prints hi; a MiB arrives whole", async () => {
      expect(await wx(["exec", "s8013", "--", "cat"], "hi\n")).toMatchObject({ code: 0, stdout: "hi\n" });
      const big = "x".repeat(1024 * 1024);
      expect(await wx(["exec", "s8013", "--", "wc -c"], big)).toMatchObject({ code: 0, stdout: "1048576\n" });
      const json = await wx(["--json", "exec", "s8013", "--", "tr a-z A-Z"], "piped\n");
      expect(JSON.parse(json.stdout)).toMatchObject({ code: 0, stdout: "PIPED\n" });
    });

    it("the binary, through a real pipe; a stdin left open does not hold it once the command ended", async () => {
      const piped = await runCli(["exec", "s8013", "--", "cat"], { cwd: dir, env: env(), input: "hi\n" });
      expect(piped).toMatchObject({ code: 0, stdout: "hi\n" });
      const child = spawn(process.execPath, [BIN, "exec", "s8013", "--", "echo done"], {
        cwd: dir,
        env: cleanEnv(env()),
        stdio: ["pipe", "pipe", "pipe"],
      });
      let stdout = "";
      child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      child.stdin.destroy();
      expect({ code, stdout }).toEqual({ code: 0, stdout: "done\n" });
    });

    it("wxdev ssh without a terminal runs the commands from stdin in remoteDir, inside the venv", async () => {
      const result = await wx(["ssh", "s8013"], 'pwd; echo "$VIRTUAL_ENV"; exit 4\n');
      expect(result.stdout).toBe(`${sshd.home}/term-test\n${sshd.home}/venvs/term\n`);
      expect(result.code).toBe(4);
    });

    describe.skipIf(noTerminal !== undefined)("on a real terminal (tmux)", () => {
      function start(session: string, args: string[]): void {
        const vars = `env -i PATH=${JSON.stringify(process.env.PATH ?? "")} HOME=${clientHome} NO_COLOR=1 TERM=xterm`;
        const command = `${vars} ${process.execPath} ${BIN} ${args.join(" ")}; echo "exit=$?"; sleep 600`;
        tmux("new-session", "-d", "-s", session, "-x", "160", "-y", "40", "-c", dir, command);
      }
      const type = (session: string, line: string): void => {
        tmux("send-keys", "-t", session, "-l", line);
        tmux("send-keys", "-t", session, "Enter");
      };

      it("exec -- python3 is the interactive interpreter: a tty, the venv, Ctrl-C and Ctrl-D reach it", async () => {
        start("python", ["exec", "s8013", "--", "python3"]);
        await waitFor("python", /^>>> $/m);
        type("python", "import os, sys; print('tty', os.isatty(0), sys.prefix)");
        await waitFor("python", new RegExp(`^tty True ${sshd.home}/venvs/term$`, "m"));
        tmux("send-keys", "-t", "python", "C-c");
        await waitFor("python", /KeyboardInterrupt/);
        tmux("send-keys", "-t", "python", "C-d");
        expect(await waitFor("python", /exit=\d+/)).toMatch(/exit=0/);
      }, 40_000);

      it("exec -- bash: a shell on a pty that follows the window's size; its exit status passed through", async () => {
        start("bash", ["exec", "s8013", "--", "bash"]);
        await waitFor("bash", /\$ $/m);
        type("bash", "tty; stty size");
        await waitFor("bash", /^\/dev\/pts\/\d+\n40 160$/m);
        tmux("resize-window", "-t", "bash", "-x", "100", "-y", "30");
        type("bash", "stty size");
        await waitFor("bash", /^30 100$/m);
        type("bash", "exit 7");
        expect(await waitFor("bash", /exit=\d+/)).toMatch(/exit=7/);
      }, 40_000);

      it("wxdev ssh: an interactive shell in the live folder, the venv in its prompt, ~/.bashrc read", async () => {
        start("ssh", ["ssh", "s8013"]);
        await waitFor("ssh", /^\(term\) .*\$ $/m);
        type("ssh", 'pwd; echo "venv=$VIRTUAL_ENV"; type -t workon');
        await waitFor("ssh", new RegExp(`^${sshd.home}/term-test\nvenv=${sshd.home}/venvs/term\nfunction$`, "m"));
        // A typo is the session's business, not a failed command.
        type("ssh", "no-such-command-here");
        await waitFor("ssh", /no-such-command-here: command not found/);
        type("ssh", "cd /tmp");
        type("ssh", "exit");
        expect(await waitFor("ssh", /exit=\d+/)).toMatch(/exit=0/);
      }, 40_000);
    });
  },
);
