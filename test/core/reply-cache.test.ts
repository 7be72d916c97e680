import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";
import { describe, expect, it } from "vitest";
import { dedupKey } from "../../src/core/wire/messages.js";
import { REPLY_WINDOW_MS, ReplyCache } from "../../src/core/server/reply-cache.js";
import { echoBot } from "../../src/core/server/echo-bot.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

describe("ReplyCache", () => {
  it("answers a retried key with the first answer, without producing it again", async () => {
    const cache = new ReplyCache<string>();
    let produced = 0;
    const first = cache.get("msg:1", () => `reply ${++produced}`, 0);
    const retry = cache.get("msg:1", () => `reply ${++produced}`, 1_000);
    expect([first.hit, retry.hit]).toEqual([false, true]);
    expect([await first.value, await retry.value, produced]).toEqual(["reply 1", "reply 1", 1]);
  });

  it("forgets an answer once its time is up", async () => {
    const cache = new ReplyCache<string>({ ttlMs: 30_000 });
    cache.get("msg:1", () => "old", 0);
    const later = cache.get("msg:1", () => "new", 30_000);
    expect([later.hit, await later.value]).toEqual([false, "new"]);
  });

  it("keeps every answer for WeChat's whole retry window at 20,000 messages a second", async () => {
    // The old cache held 10,000 entries: at this rate a retry 1 s later was handled twice.
    const cache = new ReplyCache<string>();
    const reply = "<xml><ToUserName><![CDATA[oUser]]></ToUserName><Content><![CDATA[hello]]></Content></xml>";
    for (let ms = 0; ms < 1_000; ms++) for (let i = 0; i < 20; i++) cache.get(`msg:${ms}:${i}`, () => reply, ms);
    await Promise.resolve();
    const retries = [0, 1, 250, 500, 999].map((ms) => cache.get(`msg:${ms}:7`, () => "handled twice", 15_000 + ms).hit);
    expect(retries).toEqual([true, true, true, true, true]);
    expect(cache.evictedEarly).toBe(0);
    // Past the window they go, and take their memory with them.
    cache.get("fresh", () => reply, 2_000 + REPLY_WINDOW_MS);
    expect(cache.size).toBe(1);
  });

  it("stays within its memory bound, dropping the oldest answers first and counting them", async () => {
    const cache = new ReplyCache<string>({ ttlMs: 30_000, maxBytes: 100_000 });
    for (let i = 0; i < 1_000; i++) {
      cache.get(`msg:${i}`, () => "r".repeat(500), 0);
      await Promise.resolve();
    }
    expect(cache.approxBytes).toBeLessThanOrEqual(100_000);
    expect(cache.evictedEarly).toBeGreaterThan(800);
    expect(cache.get("msg:999", () => "again", 0).hit).toBe(true);
    expect(cache.get("msg:0", () => "again", 0).hit).toBe(false);
  });

  it("a failed answer is not kept: the retry produces it again", async () => {
    const cache = new ReplyCache<string>();
    const failed = cache.get("msg:1", () => Promise.reject(new Error("bot crashed")), 0);
    await expect(failed.value).rejects.toThrow("bot crashed");
    expect(cache.get("msg:1", () => "ok", 1).hit).toBe(false);
    expect(cache.approxBytes).toBeGreaterThan(0);
  });

  it("an answer that throws (a bot's own error) is not kept either: the retry produces it again", async () => {
    const cache = new ReplyCache<string>();
    const failed = cache.get(
      "msg:1",
      () => {
        throw new Error("bot crashed");
      },
      0,
    );
    await expect(failed.value).rejects.toThrow("bot crashed");
    const retry = cache.get("msg:1", () => "ok", 1);
    expect([retry.hit, await retry.value, cache.size]).toEqual([false, "ok", 1]);
  });

  it("expires in order through thousands of removals, renewed keys included, and gives their memory back", async () => {
    const cache = new ReplyCache<string>({ ttlMs: 1_000 });
    for (let ms = 0; ms < 5_000; ms++) {
      cache.get(`msg:${ms}`, () => "reply", ms);
      // Every 10 ms a key from 1.5 s ago comes again: expired, so handled anew and kept from now on.
      if (ms % 10 === 0 && ms >= 1_500) expect(cache.get(`msg:${ms - 1_500}`, () => "again", ms).hit).toBe(false);
      await Promise.resolve();
    }
    // Held at 5 s: the last second's messages and the renewed keys that came in it.
    expect(cache.size).toBe(1_000 + 100);
    expect(cache.get("msg:4001", () => "x", 4_999).hit).toBe(true);
    expect(cache.get("msg:4000", () => "x", 5_000).hit).toBe(false);
    expect(cache.get("msg:3000", () => "x", 4_999).hit).toBe(true); // renewed at 4.5 s
    cache.get("last", () => "x", 10_000);
    await new Promise(setImmediate); // the answers settle and are counted
    expect(cache.size).toBe(1);
    const single = new ReplyCache<string>();
    single.get("last", () => "x", 0);
    await new Promise(setImmediate);
    expect(cache.approxBytes).toBe(single.approxBytes);
  });

  it("holds no more than it counts: keys and replies made from 60 KB bodies keep none of the bodies", async () => {
    const cache = new ReplyCache<string>();
    const bot = echoBot();
    const pad = "p".repeat(60_000);
    const handle = async (i: number): Promise<void> => {
      // A real openid and MsgId: long enough for V8 to make them slices of the body, as the parser reads them.
      const body =
        "<xml><ToUserName><![CDATA[gh_0123456789ab]]></ToUserName>" +
        `<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIW${10_000 + i}]]></FromUserName>` +
        "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hello]]></Content>" +
        `<MsgId>${6054768590064713728n + BigInt(i)}</MsgId><Pad><![CDATA[${pad}]]></Pad></xml>`;
      const message = parseXml(body);
      await cache.get(dedupKey(message), () => buildXml(bot(message) ?? {}), 0).value;
    };
    gc();
    const before = process.memoryUsage().heapUsed;
    for (let i = 0; i < 2_000; i++) await handle(i);
    gc();
    const held = process.memoryUsage().heapUsed - before;
    expect(cache.size).toBe(2_000);
    // Before, each entry kept its 60 KB body (120 MB in all) while 800 B were counted.
    expect(held, `${Math.round(held / cache.size)} B held an entry`).toBeLessThanOrEqual(cache.approxBytes);
  });
});
