import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { type RunningTestServer, startServe, startWebot } from "../helpers/wechat-servers.js";

const TOKEN = "notifytoken";
const env = { WXDEV_TOKEN: TOKEN };

let webot: RunningTestServer;
let serve: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  [webot, serve] = await Promise.all([startWebot({ token: TOKEN }), startServe([], env)]);
});
afterAll(async () => Promise.all([webot, serve].map((server) => server?.close())));

describe("simulate: a text answer to a notification event", () => {
  it("is ignored by WeChat, and simulate says so (as check does) instead of 'would accept'", async () => {
    const result = await runMain(["simulate", "event", "templatesendjobfinish", "--url", webot.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/warning WeChat ignores a reply to TEMPLATESENDJOBFINISH, a notification/);
    expect(result.stdout).toMatch(/! WeChat ignores this answer: nobody sees a reply to a notification$/m);
    expect(result.stdout).not.toContain("WeChat would accept this answer");
  });

  it("success to a notification is simply accepted", async () => {
    const result = await runMain(["simulate", "event", "templatesendjobfinish", "--url", serve.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("✓ WeChat would accept this answer");
  });
});

describe("load mode and --msg-id", () => {
  it("sets a job event's MsgID for every notification of the run", async () => {
    const args = ["simulate", "event", "templatesendjobfinish", "--msg-id", "200163836", "--count", "5", "--json"];
    const result = await runMain([...args, "--url", serve.url], { env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toMatchObject({ ok: true, sent: 5 });
  });

  it("is still refused for a user message, whose MsgIds a load run keeps distinct", async () => {
    const result = await runMain(["simulate", "text", "hi", "--msg-id", "1", "--count", "5", "--url", serve.url], {
      env,
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/load mode sends distinct MsgIds and does not retry: drop --msg-id/);
  });
});
