import { describe, expect, it } from "vitest";
import { type CheckInputs, type DeployFlags, parseDeployArgs } from "../../src/cli/deploy-args.js";

const flags = (extra: Partial<DeployFlags> = {}): DeployFlags => ({ post: true, ...extra });
const none: CheckInputs = {};

describe("parseDeployArgs: deploy's paths and flags → what to do, refused before connecting", () => {
  it.each<[string, string[], DeployFlags, CheckInputs, unknown]>([
    ["a plain deploy", [], flags(), none, { action: "deploy", dryRun: false, delete: false, paths: undefined }],
    ["some paths, --delete", ["a.py"], flags({ delete: true }), none, { paths: ["a.py"], delete: true }],
    ["--exec replaces postDeploy", [], flags({ exec: "make" }), none, { post: "make" }],
    ["--no-post runs none", [], flags({ post: false, exec: "make" }), none, { post: null }],
    ["--yes trusts a new host key", [], flags({ yes: true }), none, { acceptNewHostKey: true }],
    ["--accept-new-host-key too", [], flags({ acceptNewHostKey: true }), none, { acceptNewHostKey: true }],
    ["a rollback", [], flags({ rollback: true }), none, { action: "rollback", post: undefined }],
    [
      "checkUrl in the config checks after deploying",
      [],
      flags(),
      { checkUrl: "http://h/wechat8013", token: "t" },
      { check: { url: "http://h/wechat8013", token: "t" } },
    ],
    [
      "--check falls back on the url setting",
      [],
      flags({ check: true }),
      { url: "http://h/w", token: "t" },
      { check: { url: "http://h/w", token: "t" } },
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
    ["--check without a URL", [], flags({ check: true }), { token: "t" }, /--check needs checkUrl/],
    ["--check without the Token", [], flags({ check: true }), { url: "http://h/w" }, /--check needs .*WXDEV_TOKEN/],
    ["checkUrl without the Token", [], flags(), { checkUrl: "http://h/w", token: "" }, /--check needs/],
  ])("refuses %s", (_name, paths, given, inputs, message) => {
    expect(() => parseDeployArgs(paths, given, inputs)).toThrow(message);
  });
});
