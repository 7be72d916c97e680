import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";
import { type RunningTestServer, startCareless, startServe, startWebot } from "../helpers/wechat-servers.js";

const TOKEN = "modestoken";
const temp = tempDirs();
const keyed = { WXDEV_TOKEN: TOKEN, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };
const ENCRYPTED_FORGERIES = ["bad-signature-post", "bad-msg-signature", "foreign-app-id", "stale-timestamp"];

type Check = { id: string; status: string; reason: string; required: boolean };
const checks = (stdout: string): Record<string, Check> =>
  Object.fromEntries((JSON.parse(stdout).checks as Check[]).map((check) => [check.id, check]));
const withStatus = (stdout: string, status: string): string[] =>
  Object.values(checks(stdout))
    .filter((check) => check.status === status)
    .map((check) => check.id);

let careless: RunningTestServer;
let webotPlain: RunningTestServer;
let webotKeyed: RunningTestServer;
let serveSafe: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  [careless, webotPlain, webotKeyed, serveSafe] = await Promise.all([
    startCareless(TOKEN, KEY, APP_ID),
    startWebot({ token: TOKEN }),
    startWebot({ token: TOKEN, appid: APP_ID, encodingAESKey: KEY }),
    startServe(["--mode", "safe"], keyed),
  ]);
});
afterAll(async () => {
  await Promise.all([careless, webotPlain, webotKeyed, serveSafe].map((server) => server?.close()));
});

describe("check --mode safe|compat forges in that mode, and each forgery must be refused", () => {
  it.each(["safe", "compat"])(
    "%s: a server (wechat-crypto) that decrypts without checking signatures is not ready",
    async (mode) => {
      const result = await runMain(["check", "--url", careless.url, "--mode", mode, "--json"], { env: keyed });
      expect(result.code).toBe(1);
      expect(JSON.parse(result.stdout)).toMatchObject({ ok: false, mode, modes: [mode] });
      expect(withStatus(result.stdout, "fail").sort()).toEqual([...ENCRYPTED_FORGERIES].sort());
      const byId = checks(result.stdout);
      expect(byId["bad-msg-signature"]?.reason).toMatch(/does not check msg_signature .*−40001/);
      expect(byId["foreign-app-id"]?.reason).toMatch(/decrypted a message for appId wx0000000000f0e1d2.*−40005/);
      expect(byId["stale-timestamp"]?.reason).toMatch(/accepts a timestamp 3600 s old/);
      expect(byId["message:text"]?.status).toBe("pass");
    },
  );

  it("wxdev serve --mode safe refuses every forgery and is ready", async () => {
    const result = await runMain(["check", "--url", serveSafe.url, "--mode", "safe", "--json"], { env: keyed });
    expect(result.code).toBe(0);
    for (const id of ENCRYPTED_FORGERIES) expect(checks(result.stdout)[id], id).toMatchObject({ status: "pass" });
  });

  it.each(["safe", "compat"])(
    "node-webot in %s mode checks msg_signature only: the signature, appId and timestamp forgeries are named",
    async (mode) => {
      const result = await runMain(["check", "--url", webotKeyed.url, "--mode", mode, "--json"], { env: keyed });
      expect(result.code).toBe(1);
      const byId = checks(result.stdout);
      expect(byId["bad-msg-signature"]).toMatchObject({ status: "pass", reason: "HTTP 401" });
      expect(withStatus(result.stdout, "fail").sort()).toEqual(
        ["bad-signature-post", "foreign-app-id", "stale-timestamp"].sort(),
      );
      expect(byId["bad-signature-post"]?.reason).toMatch(/does not check signature, only msg_signature/);
      // its round trips work: milliseconds CreateTime is its only flaw there
      expect(byId["message:text"]).toMatchObject({ status: "warn", reason: expect.stringContaining("milliseconds") });
    },
  );
});

describe("check runs the round trips of the mode asked for", () => {
  it("a plain-only app (node-webot, plain) passes plain check with an EncodingAESKey in the environment", async () => {
    const result = await runMain(["check", "--url", webotPlain.url, "--json"], { env: keyed });
    expect(result.code).toBe(0);
    const out = JSON.parse(result.stdout);
    expect(out).toMatchObject({ ok: true, mode: "plain", modes: ["plain"] });
    expect(Object.keys(checks(result.stdout)).filter((id) => id.startsWith("mode:"))).toEqual([]);
    expect(checks(result.stdout)["stale-timestamp"]).toMatchObject({ status: "warn", required: false });
  });

  it("the header says which mode ran and how to ask for the others", async () => {
    const result = await runMain(["check", "--url", webotPlain.url], { env: keyed });
    expect(result.stdout.split("\n")[0]).toBe(
      `checking ${webotPlain.url} in plain mode` +
        " (the mode WeChat sends; --all-modes adds a round trip in each other mode)",
    );
    expect(result.stdout).not.toMatch(/safe mode round trip/);
  });

  it("the config's mode is the mode checked", async () => {
    const cwd = temp("wxdev-check-mode-");
    writeFileSync(join(cwd, "wxdev.config.json"), JSON.stringify({ mode: "safe" }));
    const result = await runMain(["check", "--url", serveSafe.url, "--json"], { env: keyed, cwd });
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, mode: "safe", modes: ["safe"] });
  });

  it("--all-modes adds a round trip in each other mode, and says so", async () => {
    const result = await runMain(["check", "--url", webotKeyed.url, "--mode", "safe", "--all-modes"], { env: keyed });
    expect(result.stdout.split("\n")[0]).toBe(
      `checking ${webotKeyed.url} in safe mode, plus a round trip in plain and compat mode`,
    );
    expect(result.stdout).toMatch(/warn\s+plain mode round trip/);
    expect(result.stdout).toMatch(/warn\s+compat mode round trip/);
  });
});
