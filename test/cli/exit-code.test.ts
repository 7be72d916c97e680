import { PassThrough, Readable, type Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import type { Io } from "../../src/cli/context.js";
import { ExitCode, exitCodeFor } from "../../src/cli/exit-code.js";
import { main } from "../../src/cli/index.js";

/** An in-process run's I/O: stderr collected, stdout given. */
function io(stdout: Writable): { io: Io; stderr: () => string } {
  const stderr = new PassThrough();
  let text = "";
  stderr.on("data", (chunk: Buffer) => (text += chunk.toString()));
  const env = { NO_COLOR: "1" };
  return { io: { stdout, stderr, stdin: Readable.from([]), env, cwd: process.cwd() }, stderr: () => text };
}

describe("exit codes", () => {
  it("are distinct, and a check's outcome maps to 0 or 1", () => {
    expect(new Set(Object.values(ExitCode)).size).toBe(Object.values(ExitCode).length);
    expect([exitCodeFor(true), exitCodeFor(false)]).toEqual([ExitCode.Ok, ExitCode.CheckFailed]);
  });

  it("an unexpected error (a bug, not a failed check) is 70, EX_SOFTWARE", async () => {
    const broken = {
      write: () => {
        throw new TypeError("a bug");
      },
    } as unknown as Writable;
    const run = io(broken);
    expect(await main(["sign", "--token", "t"], run.io)).toBe(70);
    expect(run.stderr()).toMatch(/wxdev: unexpected error: a bug \(run with --verbose for details\)/);
  });

  it("a check that fails is 1 and bad input is 2, in process", async () => {
    const stdout = new PassThrough();
    const args = ["verify", "--token", "t", "--signature", "00", "--timestamp", "1", "--nonce", "n"];
    expect(await main(args, io(stdout).io)).toBe(ExitCode.CheckFailed);
    expect(await main(["verify", "--token", "t"], io(new PassThrough()).io)).toBe(ExitCode.BadInput);
  });

  it("wxdev --help documents them", async () => {
    const stdout = new PassThrough();
    let text = "";
    stdout.on("data", (chunk: Buffer) => (text += chunk.toString()));
    expect(await main(["--help"], io(stdout).io)).toBe(ExitCode.Ok);
    expect(text).toMatch(/Exit codes: 0 success, 1 a check failed .*2 bad input or usage,\n70 an internal error/s);
    expect(text).toMatch(/130 stopped by Ctrl-C/);
  });
});
