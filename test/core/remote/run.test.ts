import { spawn } from "node:child_process";
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CommandNotFoundError,
  CommandNotRunError,
  RemoteSetupError,
  type RemoteShell,
  run,
  runChecked,
  runScript,
  venvPath,
} from "../../../src/core/remote/shell.js";
import { tempDirs } from "../../helpers/temp.js";

const temp = tempDirs();

/**
 * The wrapper run by the local bash instead of over SSH (sshd runs it with `$SHELL -c` the same way): a home with
 * Debian's stock ~/.bashrc, a function and an alias defined below its interactive guard, and a fake virtualenv.
 */
function localHome(extraBashrc = ""): { home: string; shell: RemoteShell; tmp: string } {
  const home = temp("wxdev-run-home-");
  // mktemp's folder, so a test sees every temporary file the wrapper leaves.
  const tmp = temp("wxdev-run-tmp-");
  writeFileSync(
    join(home, ".bashrc"),
    `${readFileSync("/etc/skel/.bashrc", "utf8")}\nmyworkon() { echo "workon $1"; }\n` +
      `alias hi='echo aliased'\necho "from bashrc" >&2\n${extraBashrc}`,
  );
  mkdirSync(join(home, ".virtualenvs", "wechat", "bin"), { recursive: true });
  writeFileSync(
    join(home, ".virtualenvs", "wechat", "bin", "activate"),
    'export VIRTUAL_ENV="$HOME/.virtualenvs/wechat"\n',
  );
  mkdirSync(join(home, "app"));
  const shell: RemoteShell = {
    exec: (command, options = {}) =>
      new Promise((resolve) => {
        const child = spawn("sh", ["-c", command], {
          env: { PATH: process.env.PATH, HOME: home, TMPDIR: tmp },
          cwd: "/",
        });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => {
          stdout += chunk;
          options.onStdout?.(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
          stderr += chunk;
          options.onStderr?.(chunk);
        });
        // A ~/.bashrc that exits or replaces the shell ends it before it reads its input.
        child.stdin.on("error", () => undefined);
        child.stdin.end(typeof options.stdin === "string" ? options.stdin : "");
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
      }),
  };
  return { home, shell, tmp };
}

describe.skipIf(process.platform !== "linux")("run(): a user's command in bash that has read ~/.bashrc", () => {
  const { home, shell } = localHome();
  const cwd = `"$HOME"/app`;

  it(
    "reads ~/.bashrc past its interactive guard: functions and aliases; " +
      "no job-control lines, bashrc's own stderr kept",
    async () => {
      const result = await run(shell, "myworkon wechat; hi; pwd", { cwd });
      expect(result).toMatchObject({
        code: 0,
        stdout: `workon wechat\naliased\n${home}/app\n`,
        stderr: "from bashrc\n",
      });
    },
  );

  it("passes the exit status through; an `exit` prints no 'exit' (the interactive shell's habit)", async () => {
    const result = await run(shell, "echo out; exit 3", { cwd });
    expect(result).toMatchObject({ code: 3, stdout: "out\n", stderr: "from bashrc\n", missing: [] });
  });

  it("a command not found anywhere in the line is a failure, even when the last part succeeded", async () => {
    const result = await run(shell, "workon wechat && echo never; echo after", { cwd });
    expect(result).toMatchObject({ code: 127, stdout: "after\n", missing: ["workon"] });
    expect(result.stderr).toBe("from bashrc\nbash: workon: command not found\n");
    const error = await runChecked(shell, "workon wechat; true", { cwd }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandNotFoundError);
    expect((error as CommandNotFoundError).hint).toContain('set "venv" in the server config');
  });

  it("activates the venv by name, and streams stdout as it comes; stdin reaches the command", async () => {
    const chunks: string[] = [];
    const result = await run(shell, 'echo "$VIRTUAL_ENV"; cat', {
      cwd,
      venv: "wechat",
      stdin: "from stdin\n",
      onStdout: (chunk) => chunks.push(chunk.toString()),
    });
    expect(result.code).toBe(0);
    expect(chunks.join("")).toBe(`${home}/.virtualenvs/wechat\nfrom stdin\n`);
  });

  it("a missing venv or working directory is a RemoteSetupError naming it", async () => {
    await expect(run(shell, "true", { cwd, venv: "nope" })).rejects.toThrow(RemoteSetupError);
    await expect(run(shell, "true", { cwd, venv: "nope" })).rejects.toThrow(/no virtualenv .*\.virtualenvs\/nope/);
    await expect(run(shell, "true", { cwd: `"$HOME"/gone` })).rejects.toThrow(/no directory .*\/gone/);
  });

  it("timeoutMs kills the command (status 124)", async () => {
    const result = await run(shell, "sleep 5", { cwd, timeoutMs: 300 });
    expect(result.code).toBe(124);
  });
});

describe.skipIf(process.platform !== "linux")("run(): the command ran to its end, and nothing is left behind", () => {
  it.each([
    ["replaces the shell (exec sh)", "exec sh\n"],
    ["exits", "exit 0\n"],
  ])("a ~/.bashrc that %s: CommandNotRunError, never a success; no temporary file left", async (_, line) => {
    const { home, shell, tmp } = localHome(line);
    const error = await run(shell, "echo ran > ~/ran", { cwd: `"$HOME"/app` }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(CommandNotRunError);
    expect((error as CommandNotRunError).message).toBe(
      "the command never ran to its end on the server: its shell ended first (status 0)",
    );
    expect((error as CommandNotRunError).hint).toContain("[ -t 0 ] && exec zsh");
    expect(existsSync(join(home, "ran"))).toBe(false);
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("no temporary file is left: after a success, a missing venv, a timeout, a hang-up of the session", async () => {
    const { shell, tmp } = localHome();
    const cwd = `"$HOME"/app`;
    expect((await run(shell, "true", { cwd })).code).toBe(0);
    await expect(run(shell, "true", { cwd, venv: "nope" })).rejects.toThrow(RemoteSetupError);
    expect((await run(shell, "sleep 5", { cwd, timeoutMs: 300 })).code).toBe(124);
    expect(readdirSync(tmp)).toEqual([]);
    const { home } = localHome();
    // sshd's session shell hung up while the command still runs (it runs on, the temporary file must not).
    const session = spawn("sh", ["-c", runScript("echo started; sleep 2")], {
      env: { PATH: process.env.PATH, HOME: home, TMPDIR: tmp },
    });
    await new Promise((resolve) => session.stdout.once("data", resolve));
    expect(readdirSync(tmp)).toHaveLength(1);
    session.kill("SIGHUP");
    await new Promise((resolve) => session.once("exit", resolve));
    expect(readdirSync(tmp)).toEqual([]);
  });

  it("the end mark never reaches the streamed stderr, even split across chunks", async () => {
    const { shell } = localHome();
    const streamed: string[] = [];
    const result = await run(shell, "echo to-stderr >&2", {
      cwd: `"$HOME"/app`,
      onStderr: (chunk) => streamed.push(chunk.toString()),
    });
    expect(streamed.join("")).toBe("from bashrc\nto-stderr\n");
    expect(result.stderr).toBe("from bashrc\nto-stderr\n");
    const split: RemoteShell = {
      exec: async (command, options) => {
        const whole = await shell.exec(command, {});
        // The same output, a byte at a time.
        for (const byte of Buffer.from(whole.stderr)) options?.onStderr?.(Buffer.from([byte]));
        return whole;
      },
    };
    const bytes: string[] = [];
    await run(split, "echo x >&2", { cwd: `"$HOME"/app`, onStderr: (chunk) => bytes.push(chunk.toString()) });
    expect(bytes.join("")).toBe("from bashrc\nx\n");
  });
});

describe("venvPath", () => {
  it.each([
    ["wechat", `"\${WORKON_HOME:-$HOME/.virtualenvs}"/'wechat'`],
    ["~/venvs/wechat", `"$HOME"/'venvs/wechat'`],
    ["/opt/venv", "'/opt/venv'"],
    [".venv/x", "'.venv/x'"],
    [".venv", "'.venv'"],
  ])("%s → %s", (venv, expected) => expect(venvPath(venv)).toBe(expected));
});
