import { describe, expect, it } from "vitest";
import { ReplyCache } from "../../src/core/server/reply-cache.js";

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
    const cache = new ReplyCache<string>(30_000);
    cache.get("msg:1", () => "old", 0);
    const later = cache.get("msg:1", () => "new", 30_000);
    expect([later.hit, await later.value]).toEqual([false, "new"]);
  });

  it("stays within its capacity, dropping the oldest keys first", async () => {
    const cache = new ReplyCache<string>(30_000, 100);
    for (let i = 0; i < 1_000; i++) cache.get(`msg:${i}`, () => `r${i}`, 0);
    expect(cache.get("msg:999", () => "again", 0).hit).toBe(true);
    expect(cache.get("msg:0", () => "again", 0).hit).toBe(false);
    let kept = 0;
    for (let i = 0; i < 1_000; i++) if (cache.get(`msg:${i}`, () => "x", 0).hit) kept++;
    expect(kept).toBeLessThanOrEqual(100);
  });
});
