import { createServer } from "node:http";
import { describe, expect, it } from "vitest";
import { createTarget } from "../../src/core/client/target.js";
import type { PlatformEvent } from "../../src/core/platform/events.js";
import { createMockPlatform } from "../../src/core/platform/server.js";
import { listen } from "../../src/core/support/listen.js";
import { APP_ID } from "../helpers/fixtures.js";
import { control, SECRET, TOKEN } from "../helpers/platform.js";

/** An app that answers its `slow` first requests too late (never, for the test's short timeout), then echoes. */
async function lateApp(slow: number) {
  let seen = 0;
  const signatures: string[] = [];
  const server = createServer((request, response) => {
    seen += 1;
    signatures.push(new URL(request.url ?? "/", "http://x").searchParams.get("signature") ?? "");
    request.resume();
    if (seen <= slow) return; // no answer: the mock's timeout decides
    response.end("success");
  });
  const running = await listen(server, 0, "127.0.0.1");
  return { ...running, signatures, seen: () => seen };
}

describe("pushes are tried again as WeChat does when the answer is late", () => {
  it("3 tries in all, each freshly signed and on the event feed; the last one's result is the answer", async () => {
    const app = await lateApp(99);
    const push = createTarget({ url: `${app.origin}/wechat`, token: TOKEN, mode: "plain", timeoutMs: 300 });
    const mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET, push }).listen();
    const events: PlatformEvent[] = [];
    mock.store.events.watch((event) => events.push(event));
    try {
      const answer = (await control(mock.origin, "message", { message: "text", fields: { Content: "hi" } })) as {
        exchange: { ok: boolean; problems: { code: string }[] };
      };
      expect(app.seen()).toBe(3);
      expect(new Set(app.signatures).size).toBe(3);
      const tries = events.filter((event) => event.type === "push");
      expect(tries.map((event) => event.type === "push" && event.attempt)).toEqual([1, 2, 3]);
      expect(answer.exchange.ok).toBe(false);
      expect(answer.exchange.problems.map((problem) => problem.code)).toEqual(["timeout"]);
    } finally {
      await mock.close();
      await app.close();
    }
  });

  it("an answer in time on the second try ends the tries", async () => {
    const app = await lateApp(1);
    const push = createTarget({ url: `${app.origin}/wechat`, token: TOKEN, mode: "plain", timeoutMs: 300 });
    const mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET, push }).listen();
    try {
      const answer = (await control(mock.origin, "message", { message: "text", fields: { Content: "hi" } })) as {
        exchange: { ok: boolean; replyKind: string };
      };
      expect(app.seen()).toBe(2);
      expect(answer.exchange).toMatchObject({ ok: true, replyKind: "none" });
    } finally {
      await mock.close();
      await app.close();
    }
  });
});
