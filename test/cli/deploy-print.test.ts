import { describe, expect, it } from "vitest";
import { Writable } from "node:stream";
import type { CheckResult } from "../../src/core/deploy/gate.js";
import type { DeployResult } from "../../src/core/deploy/deploy.js";
import { type DeployOutcome, deployExitCode, deployJson, printDeploy } from "../../src/cli/commands/deploy/print.js";
import { Output } from "../../src/cli/output.js";

const plan = { upload: ["a.py"], delete: [], replace: [], kept: [], unchanged: [], bytes: 10 };
const result = (extra: Partial<DeployResult> = {}): DeployResult =>
  ({
    uploaded: 1,
    deleted: 0,
    unchanged: 0,
    kept: 0,
    bytes: 10,
    seconds: 0.5,
    dryRun: false,
    gitignored: [],
    plan,
    ...extra,
  }) as DeployResult;
const failedPost = { command: "false", code: 1, stderr: "boom" };
const handshake = (ok: boolean): CheckResult => ({ ok, latencyMs: 1.26, url: "http://h/w", status: 200, tries: 1 });

describe("deploy's outcome → one JSON shape and an exit code", () => {
  it.each<[string, DeployOutcome, number, Record<string, unknown>]>([
    [
      "a dry run shows the plan",
      { action: "dry-run", server: "s8013", result: result({ dryRun: true }) },
      0,
      { ok: true, action: "dry-run", server: "s8013", uploaded: 1, dryRun: true, plan },
    ],
    [
      "a deploy shows the counts, not the plan",
      { action: "deploy", server: "s8013", result: result({ release: "r1" }) },
      0,
      { ok: true, action: "deploy", server: "s8013", uploaded: 1, release: "r1" },
    ],
    [
      "a failed post-deploy command is exit 1",
      { action: "deploy", server: "s8013", result: result({ post: failedPost }) },
      1,
      { ok: false, action: "deploy", post: failedPost },
    ],
    [
      "a passed check",
      { action: "deploy", server: "s8013", result: result({ check: handshake(true) }) },
      0,
      { ok: true, check: { ok: true, latencyMs: 1.26 } },
    ],
    [
      "a failed check is exit 1",
      { action: "deploy", server: "s8013", result: result({ check: handshake(false) }) },
      1,
      { ok: false, check: { ok: false } },
    ],
    [
      "a rollback",
      { action: "rollback", server: "s8013", from: "r2", to: "r1" },
      0,
      { ok: true, action: "rollback", server: "s8013", from: "r2", to: "r1" },
    ],
    [
      "a rollback whose post-deploy command failed",
      { action: "rollback", server: "s8013", from: "r2", to: "r1", post: failedPost },
      1,
      { ok: false, action: "rollback", post: failedPost },
    ],
  ])("%s", (_name, outcome, code, json) => {
    expect(deployExitCode(outcome)).toBe(code);
    const shown = JSON.parse(JSON.stringify(deployJson(outcome)));
    expect(shown).toMatchObject(json);
    if (outcome.action === "deploy") expect(shown).not.toHaveProperty("plan");
  });
});

describe("--json's durations", () => {
  it("seconds to the millisecond and milliseconds to a tenth, not a float's noise; whole numbers as they are", () => {
    let text = "";
    const sink = new Writable({
      write: (chunk, _encoding, done) => {
        text += chunk;
        done();
      },
    });
    const out = new Output({ json: true, color: false, verbose: false }, sink, sink);
    out.printJson({ seconds: 1.2301370600000001, app: { up: { start: { seconds: 0.1 + 0.2, pid: 7 } } } });
    out.printJson({ check: { latencyMs: 1.23456, tries: 2 }, uptimeSeconds: 12, requestsPerSecond: 1234.5678 });
    const [first, second] = text.split(/\n(?=\{)/).map((part) => JSON.parse(part));
    expect(first).toEqual({ seconds: 1.23, app: { up: { start: { seconds: 0.3, pid: 7 } } } });
    expect(second).toEqual({ check: { latencyMs: 1.2, tries: 2 }, uptimeSeconds: 12, requestsPerSecond: 1234.5678 });
    expect(text).not.toContain("0000");
  });
});

describe("a failed release switched back, as printed", () => {
  it("the ✓ lines showing the old release answer come before the line that says it answers again", () => {
    let text = "";
    const sink = new Writable({
      write: (chunk, _encoding, done) => {
        text += chunk;
        done();
      },
    });
    const start = { pid: 42, release: "r1", seconds: 0.8 };
    const check = { ok: true, url: "http://h/wechat8013", status: 200, latencyMs: 21, tries: 1 };
    const app = {
      down: { reason: "the app exited with status 1", logTail: [] },
      back: { release: "r1", up: { start, check } },
    };
    printDeploy(new Output({ json: false, color: false, verbose: false }, sink, sink), {
      action: "deploy",
      server: "s8013",
      result: result({ release: "r2", app }),
    });
    const lines = text.trim().split("\n");
    const at = (pattern: RegExp): number => lines.findIndex((line) => pattern.test(line));
    expect(at(/✓ app started: pid 42, release r1/)).toBeGreaterThan(0);
    expect(at(/✓ handshake through http:\/\/h\/wechat8013/)).toBeGreaterThan(at(/✓ app started/));
    expect(at(/switched back to r1, which answers again$/)).toBe(lines.length - 1);
  });
});
