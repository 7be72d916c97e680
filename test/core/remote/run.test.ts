import { spawn } from "node:child_process";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  CommandNotFoundError,
  RemoteSetupError,
  type RemoteShell,
  run,
  runChecked,
  venvPath,
} from "../../../src/core/remote/shell.js";
import { tempDirs } from "../../helpers/temp.js";

const temp = tempDirs();

/**
 * The wrapper run by the local bash instead of over SSH (sshd runs it with `$SHELL -c` the same way): a home with
 * Debian's stock ~/.bashrc, a function and an alias defined below its interactive guard, and a fake virtualenv.
 */
function localHome(): { home: string; shell: RemoteShell } {
  const home = temp("wxdev-run-home-");
  writeFileSync(
    join(home, ".bashrc"),
    `${readFileSync("/etc/skel/.bashrc", "utf8")}\nmyworkon() { echo "workon $1"; }\n` +
      `alias hi='echo aliased'\necho "from bashrc" >&2\n`,
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
        const child = spawn("sh", ["-c", command], { env: { PATH: process.env.PATH, HOME: home }, cwd: "/" });
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
        child.stdin.end(typeof options.stdin === "string" ? options.stdin : "");
        child.on("close", (code, signal) => resolve({ code, signal, stdout, stderr }));
      }),
  };
  return { home, shell };
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

describe("venvPath", () => {
  it.each([
    ["wechat", `"\${WORKON_HOME:-$HOME/.virtualenvs}"/'wechat'`],
    ["~/venvs/wechat", `"$HOME"/'venvs/wechat'`],
    ["/opt/venv", "'/opt/venv'"],
    [".venv/x", "'.venv/x'"],
    [".venv", "'.venv'"],
  ])("%s → %s", (venv, expected) => expect(venvPath(venv)).toBe(expected));
});
