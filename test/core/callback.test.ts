import { describe, expect, it } from "vitest";
import { buildCallback, withQuery } from "../../src/core/client/callback.js";
import { buildMessage } from "../../src/core/messages.js";
import { signature } from "../../src/core/signature.js";

describe("withQuery", () => {
  it.each([
    ["http://127.0.0.1:8013/wechat8013", "http://127.0.0.1:8013/wechat8013?a=1&b=x+y"],
    ["http://127.0.0.1:8013", "http://127.0.0.1:8013/?a=1&b=x+y"],
    ["http://h/p?", "http://h/p?a=1&b=x+y"],
    ["http://h/p?keep=1&a=old", "http://h/p?keep=1&a=1&b=x+y"],
    ["http://h/p#frag", "http://h/p?a=1&b=x+y#frag"],
  ])("adds the parameters to %s", (url, expected) => {
    expect(withQuery(url, { a: "1", b: "x y" })).toBe(expected);
    expect(withQuery(url, { a: "1", b: "x y" })).toBe(expected); // remembered URL, same answer
  });
});

describe("buildCallback", () => {
  it("signs each call afresh with seconds, a nonce and the sender's openid", () => {
    const message = buildMessage("text", { Content: "hi" });
    const first = buildCallback({ url: "http://h/w", token: "tok", mode: "plain", message });
    const second = buildCallback({ url: "http://h/w", token: "tok", mode: "plain", message });
    const query = new URL(first.url).searchParams;
    expect(query.get("timestamp")).toMatch(/^\d{10}$/);
    expect(query.get("signature")).toBe(signature("tok", query.get("timestamp")!, query.get("nonce")!));
    expect(query.get("openid")).toBe(message.FromUserName);
    expect(new URL(second.url).searchParams.get("nonce")).not.toBe(query.get("nonce"));
  });
});
