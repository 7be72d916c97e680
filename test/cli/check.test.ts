import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { startBroken, startServe, startWebot, type Flaw } from "../helpers/wechat-servers.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";

const TOKEN = "checktoken";
const NESTED_MENU_EVENTS = [
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
];
const NOTIFICATIONS = ["TEMPLATESENDJOBFINISH", "MASSSENDJOBFINISH", "PUBLISHJOBFINISH"];
const env = { WXDEV_TOKEN: TOKEN };

type Check = { id: string; status: string; reason: string; required: boolean };
const checks = (stdout: string): Record<string, Check> =>
  Object.fromEntries((JSON.parse(stdout).checks as Check[]).map((check) => [check.id, check]));

let serve: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  serve = await startServe(["--mode", "compat"], { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID });
});
afterAll(async () => serve?.close());

describe("wxdev check", () => {
  it("--all-modes: passes wxdev serve in every mode, printing a table", async () => {
    const result = await runMain(["check", "--url", serve.url, "--all-modes"], {
      env: { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID },
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/pass\s+URL validation answers echostr exactly/);
    expect(result.stdout).toMatch(/pass\s+safe mode round trip/);
    expect(result.stdout).toMatch(/ready: \d+ passed, 0 failed/);
  });

  it("--mode safe sends every message check in safe mode, and a safe-mode server passes", async () => {
    const safe = await startServe(["--mode", "safe"], { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID });
    try {
      const result = await runMain(["check", "--url", safe.url, "--mode", "safe", "--json"], {
        env: { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID },
      });
      expect(result.code).toBe(0);
      const byId = checks(result.stdout);
      expect(byId["message:image"]?.status).toBe("pass");
      expect(byId["event:subscribe"]?.status).toBe("pass");
      expect(Object.values(byId).filter((check) => check.status === "fail")).toEqual([]);
    } finally {
      await safe.close();
    }
  });

  it("--json lists every check; with --all-modes, safe/compat are skipped without a key", async () => {
    const result = await runMain(["check", "--url", serve.url, "--json", "--all-modes"], { env });
    expect(result.code).toBe(0);
    const byId = checks(result.stdout);
    for (const id of [
      "handshake",
      "bad-signature-get",
      "bad-signature-post",
      "message:text",
      "message:image",
      "message:voice",
      "message:video",
      "message:shortvideo",
      "message:location",
      "message:link",
      "event:subscribe",
      "event:CLICK",
      "event:scancode_push",
      "event:pic_weixin",
      "event:location_select",
      "event:TEMPLATESENDJOBFINISH",
      "event:MASSSENDJOBFINISH",
      "event:PUBLISHJOBFINISH",
      "retry",
      "cjk",
      "malformed",
    ]) {
      expect(byId[id]?.status, id).toBe("pass");
    }
    expect(byId["mode:safe"]?.status).toBe("skip");
    expect(byId["mode:plain"]).toBeUndefined();
  });

  it("passes the node-webot echo bot, warning about its milliseconds CreateTime", async () => {
    const webot = await startWebot({ token: TOKEN });
    try {
      const result = await runMain(["check", "--url", webot.url, "--json"], { env });
      expect(result.code).toBe(0);
      const byId = checks(result.stdout);
      expect(byId["message:text"]).toMatchObject({ status: "warn", reason: expect.stringContaining("milliseconds") });
      expect(byId["bad-signature-post"]?.status).toBe("pass");
    } finally {
      await webot.close();
    }
  });

  it("serve answers the job notifications with success, and each is reported so", async () => {
    const result = await runMain(["check", "--url", serve.url, "--json"], { env });
    const byId = checks(result.stdout);
    for (const event of NOTIFICATIONS)
      expect(byId[`event:${event}`], event).toMatchObject({
        status: "pass",
        reason: expect.stringMatching(/^no reply/),
      });
  });

  it("passes node-webot on the nested menu events; a text reply to a notification is a warning, success passes", async () => {
    const chatty = await startWebot({ token: TOKEN });
    const quiet = await startWebot({ token: TOKEN }, NOTIFICATIONS);
    try {
      const talked = await runMain(["check", "--url", chatty.url, "--json"], { env });
      expect(talked.code).toBe(0);
      const byId = checks(talked.stdout);
      // webot reads the nested elements and answers; its milliseconds CreateTime is the only warning
      for (const event of NESTED_MENU_EVENTS)
        expect(byId[`event:${event}`], event).toMatchObject({
          status: "warn",
          reason: expect.stringMatching(/^text reply; .*milliseconds/),
        });
      for (const event of NOTIFICATIONS)
        expect(byId[`event:${event}`], event).toMatchObject({
          status: "warn",
          reason: expect.stringMatching(
            /^text reply; WeChat ignores a reply to \w+, a notification .*: answer success .*milliseconds/,
          ),
        });
      const silent = await runMain(["check", "--url", quiet.url, "--json"], { env });
      expect(silent.code).toBe(0);
      for (const event of NOTIFICATIONS)
        expect(checks(silent.stdout)[`event:${event}`], event).toMatchObject({ status: "pass" });
    } finally {
      await Promise.all([chatty.close(), quiet.close()]);
    }
  });

  it.each<[Flaw, string, RegExp]>([
    ["swap", "message:text", /must be the sender/],
    ["insecure", "bad-signature-post", /does not check the signature/],
    ["insecure", "bad-signature-get", /forged/],
    ["html", "message:text", /HTML page/],
    ["slow", "message:text", /no answer within 1000 ms/],
    ["twice", "retry", /handled twice/],
    ["quiet", "bad-signature-post", /HTTP 200 with success\/empty to a forged message/],
  ])(
    "detects a server with the %s flaw (%s fails), exit 1",
    async (flaw, id, reason) => {
      const broken = await startBroken(flaw, TOKEN, 6_000);
      try {
        const result = await runMain(["check", "--url", broken.url, "--json", "--timeout", "1"], {
          env,
          timeoutMs: 60_000,
        });
        expect(result.code).toBe(1);
        expect(checks(result.stdout)[id]).toMatchObject({ status: "fail", reason: expect.stringMatching(reason) });
      } finally {
        await broken.close();
      }
    },
    60_000,
  );

  it("a milliseconds CreateTime is only a warning", async () => {
    const broken = await startBroken("milliseconds", TOKEN);
    try {
      const result = await runMain(["check", "--url", broken.url, "--json"], { env });
      expect(result.code).toBe(0);
      expect(checks(result.stdout)["message:text"]).toMatchObject({
        status: "warn",
        reason: expect.stringContaining("milliseconds"),
      });
    } finally {
      await broken.close();
    }
  });
});

describe("wxdev handshake", () => {
  it("an empty --echostr is exit 2 (WeChat never sends one)", async () => {
    const result = await runMain(["handshake", "--url", serve.url, "--echostr", ""], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/--echostr is empty/);
  });

  it("passes when the body is exactly the echostr", async () => {
    const result = await runMain(["handshake", "--url", serve.url, "--echostr", "hello123"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('← HTTP 200 "hello123"');
  });

  it("with the wrong token, explains and prints the signature it sent", async () => {
    const result = await runMain(["handshake", "--url", serve.url, "--json"], {
      env: { WXDEV_TOKEN: "not-the-token" },
    });
    expect(result.code).toBe(1);
    const out = JSON.parse(result.stdout);
    expect(out.problems[0].message).toContain(`signature=${out.signature}`);
    expect(out.problems[0].message).toMatch(/Tokens differ/);
  });

  it("names a trailing-slash path and an HTML page", async () => {
    const slash = await runMain(["handshake", "--url", `${serve.url}/`], { env });
    expect(slash.code).toBe(1);
    expect(slash.stdout).toMatch(/HTTP 404/);
    const html = await startBroken("html", TOKEN);
    try {
      // The html flaw only breaks POSTs; the GET of a healthy handshake still passes.
      expect((await runMain(["handshake", "--url", html.url], { env })).code).toBe(0);
    } finally {
      await html.close();
    }
  });
});
