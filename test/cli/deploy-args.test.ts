import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { type CheckInputs, type DeployFlags, parseDeployArgs } from "../../src/cli/commands/deploy/args.js";
import { runMain } from "../helpers/main.js";

const flags = (extra: Partial<DeployFlags> = {}): DeployFlags => ({ post: true, ...extra });
const none: CheckInputs = {};

describe("parseDeployArgs: deploy's paths and flags → what to do, refused before connecting", () => {
  it.each<[string, string[], DeployFlags, CheckInputs, unknown]>([
    ["a plain deploy", [], flags(), none, { action: "deploy", dryRun: false, delete: false, paths: undefined }],
    ["some paths, --delete", ["a.py"], flags({ delete: true }), none, { paths: ["a.py"], delete: true }],
    ["--exec replaces postDeploy", [], flags({ exec: "make" }), none, { post: "make" }],
    ["--no-post runs none", [], flags({ post: false }), none, { post: null }],
    ["--yes trusts a new host key", [], flags({ yes: true }), none, { acceptNewHostKey: true }],
    ["--accept-new-host-key too", [], flags({ acceptNewHostKey: true }), none, { acceptNewHostKey: true }],
    ["a rollback", [], flags({ rollback: true }), none, { action: "rollback", post: undefined }],
    ["a rollback to a named release", [], flags({ rollback: "r1" }), none, { action: "rollback", to: "r1" }],
    [
      "checkUrl in the config checks after deploying",
      [],
      flags(),
      { checkUrl: "http://h/wechat8013", token: "t" },
      { check: { url: "http://h/wechat8013", token: "t" } },
    ],
    ["a dry run checks nothing", [], flags({ dryRun: true, check: true }), none, { dryRun: true }],
    ["a rollback checks nothing", [], flags({ rollback: true, check: true }), none, { action: "rollback" }],
  ])("%s", (_name, paths, given, inputs, request) => {
    expect(parseDeployArgs(paths, given, inputs)).toMatchObject(request as object);
  });

  it("a dry run asks for no check, whatever the inputs", () => {
    const request = parseDeployArgs([], flags({ dryRun: true, check: true }), { checkUrl: "http://h/w" });
    expect(request).not.toHaveProperty("check");
  });

  it.each<[string, string[], DeployFlags, CheckInputs, RegExp]>([
    ["--rollback with --dry-run", [], flags({ rollback: true, dryRun: true }), none, /--rollback takes no --dry-run/],
    [
      "--rollback with --delete and paths",
      ["a.py"],
      flags({ rollback: true, delete: true }),
      none,
      /--rollback takes no --delete, paths/,
    ],
    ["--check without checkUrl (never the local url)", [], flags({ check: true }), { token: "t" }, /needs "checkUrl"/],
    ["--check without the Token", [], flags({ check: true }), { checkUrl: "http://h/w" }, /needs the Token/],
    ["checkUrl without the Token", [], flags(), { checkUrl: "http://h/w", token: "" }, /needs the Token/],
    ["--no-post with --exec", [], flags({ post: false, exec: "make" }), none, /--no-post and --exec cannot go/],
    ["--dry-run with --exec", [], flags({ dryRun: true, exec: "make" }), none, /--dry-run and --exec cannot go/],
  ])("refuses %s", (_name, paths, given, inputs, message) => {
    expect(() => parseDeployArgs(paths, given, inputs)).toThrow(message);
  });
});

describe("wxdev deploy refuses a check it cannot do before connecting", () => {
  it.each([
    ["checkUrl without the Token", ["--yes"], { checkUrl: "http://127.0.0.1:9/wechat8013" }, /needs the Token/],
    ["--check without checkUrl", ["--check", "--yes"], {}, /--check needs "checkUrl"/],
  ])("%s is exit 2, and nothing connects", async (_name, args, server, message) => {
    const dir = mkdtempSync(join(tmpdir(), "wxdev-deploy-args-"));
    try {
      // Port 9 (discard) refuses: had it connected first, the error would be about SSH.
      const config = { servers: { s8013: { host: "127.0.0.1", port: 9, username: "u", remoteDir: "~/a", ...server } } };
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify(config));
      const result = await runMain(["deploy", "s8013", ...args], { cwd: dir, env: { HOME: dir } });
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(message);
      expect(result.stderr).not.toMatch(/ssh|connect/i);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
