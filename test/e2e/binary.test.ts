import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { startServe } from "../helpers/wechat-servers.js";

// The end-to-end set: the built binary as a user runs it (bin shim, bundle, real stdio and exit
// codes). What each command does is tested in-process in test/cli; only what needs a real process is here.
const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
const UNSIGNED = "signature=0&timestamp=1&nonce=2";

describe("the built wxdev binary", () => {
  it("--version prints the package version", async () => {
    expect(await runCli(["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("--version, answered by bin/wxdev.cjs before the CLI loads, is byte for byte what commander prints", async () => {
    const slow = await runMain(["--version"]); // commander's own --version, through main()
    expect(await runCli(["--version"])).toEqual(slow);
    // Any other argv goes through commander, and prints the same.
    expect(await runCli(["--no-color", "--version"])).toEqual(slow);
  });

  it("runs where Node has no process.getBuiltinModule (before 20.16): nothing on the path needs it", async () => {
    const hide = "data:text/javascript,delete process.getBuiltinModule";
    const child = spawn(
      process.execPath,
      ["--import", hide, BIN, "sign", "--token", "t", "--timestamp", "1", "--nonce", "2"],
      {
        env: cleanEnv(),
      },
    );
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
    expect(stdout).toContain("725669708c14d5b08cc886e941be604363f42cf5");
  });

  it("--help lists the commands", async () => {
    const result = await runCli(["--help"]);
    expect(result.code).toBe(0);
    for (const word of ["sign", "verify", "simulate", "serve", "deploy", "--json"])
      expect(result.stdout).toContain(word);
  });

  it("exit 0: a command that worked", async () => {
    const result = await runCli(["sign", "--token", "t", "--timestamp", "1", "--nonce", "2", "--json"]);
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ signature: "725669708c14d5b08cc886e941be604363f42cf5" });
  });

  it("exit 1: a check that failed", async () => {
    const result = await runCli(["verify", "--token", "x", UNSIGNED]);
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/invalid\s+signature/);
  });

  it("exit 2: bad input, one line on stderr", async () => {
    const unknown = await runCli(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const missing = await runCli(["sign"]);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toMatch(/^wxdev: missing token/);
  });

  it("exit 2: simulate names a flag the event has no field for, and what it takes, in one line", async () => {
    const result = await runCli(["simulate", "event", "click", "--ticket", "T", "--url", "http://127.0.0.1:9/w"], {
      env: { WXDEV_TOKEN: "t" },
    });
    expect(result).toEqual({
      code: 2,
      stdout: "",
      stderr: "wxdev: --ticket does not apply to event CLICK — event CLICK takes --key\n",
    });
  });

  it("colour only when asked for: FORCE_COLOR turns it on, NO_COLOR and --no-color win, none when piped", async () => {
    const args = ["verify", "--token", "x", UNSIGNED];
    expect((await runCli(args, { env: { NO_COLOR: undefined } })).stdout).not.toContain("\u001b[");
    expect((await runCli(args, { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } })).stdout).toContain("\u001b[");
    expect((await runCli(args, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } })).stdout).not.toContain("\u001b[");
    const noColor = await runCli([...args, "--no-color"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toContain("\u001b[");
  });

  it("a reader that closes the pipe early (| head -1) is not a crash: exit 0, nothing on stderr", async () => {
    const child = spawn(process.execPath, [BIN, "--help"], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    child.stdout.destroy();
    let stderr = "";
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
    expect({ code, stderr }).toEqual({ code: 0, stderr: "" });
  });

  it("serve listens on the port the system picks (--port 0), answers, and stops cleanly on SIGTERM", async () => {
    const serve = await startServe([], { WXDEV_TOKEN: "e2etoken" });
    try {
      expect(serve.url).toMatch(/^http:\/\/127\.0\.0\.1:[1-9]\d*\/wechat8013$/);
      expect((await fetch(`${serve.url}?${UNSIGNED}`)).status).toBe(403);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
    expect(serve.output()).toMatch(/stopped/);
  });
});
