import { describe, expect, it } from "vitest";
import { buildCallback } from "../../src/core/client/callback.js";
import { createTarget, targetUrl, withMode, withQuery } from "../../src/core/client/target.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { buildMessage } from "../../src/core/wire/messages.js";
import { signature } from "../../src/core/wire/signature.js";

describe("withQuery and targetUrl", () => {
  it.each([
    ["http://127.0.0.1:8013/wechat8013", "http://127.0.0.1:8013/wechat8013?a=1&b=x+y"],
    ["http://127.0.0.1:8013", "http://127.0.0.1:8013/?a=1&b=x+y"],
    ["http://h/p?", "http://h/p?a=1&b=x+y"],
    ["http://h/p?keep=1&a=old", "http://h/p?keep=1&a=1&b=x+y"],
    ["http://h/p#frag", "http://h/p?a=1&b=x+y#frag"],
  ])("adds the parameters to %s", (url, expected) => {
    expect(withQuery(url, { a: "1", b: "x y" })).toBe(expected);
    const target = createTarget({ url, token: "t" });
    expect(targetUrl(target, { a: "1", b: "x y" })).toBe(expected);
    expect(targetUrl(target, { a: "1", b: "x y" })).toBe(expected); // the precomputed URL, same answer
  });
});

describe("createTarget", () => {
  const crypto = new MessageCrypto({ token: "t", encodingAESKey: "a".repeat(43), appId: "wx0123456789abcdef" });

  it.each([
    ["not a url", /is not a URL/],
    ["ftp://h/w", /not an http\(s\) URL/],
  ])("refuses the URL %s once, for every command", (url, error) => {
    expect(() => createTarget({ url, token: "t" })).toThrow(error);
  });

  it("defaults to plain mode and WeChat's 5 s; an encrypting mode needs its crypto", () => {
    expect(createTarget({ url: "http://h/w", token: "t" })).toMatchObject({ mode: "plain", timeoutMs: 5000 });
    expect(() => createTarget({ url: "http://h/w", token: "t", mode: "safe" })).toThrow(/safe mode needs/);
    const plain = createTarget({ url: "http://h/w", token: "t", crypto });
    expect(withMode(plain, "compat")).toMatchObject({ mode: "compat", crypto });
    expect(() => withMode(createTarget({ url: "http://h/w", token: "t" }), "compat")).toThrow(/compat mode needs/);
  });
});

describe("buildCallback", () => {
  it("signs each call afresh with seconds, a nonce and the sender's openid", () => {
    const message = buildMessage("text", { Content: "hi" });
    const target = createTarget({ url: "http://h/w", token: "tok" });
    const first = buildCallback(target, message);
    const second = buildCallback(target, message);
    const query = new URL(first.url).searchParams;
    expect(query.get("timestamp")).toMatch(/^\d{10}$/);
    expect(query.get("signature")).toBe(signature("tok", query.get("timestamp")!, query.get("nonce")!));
    expect(query.get("openid")).toBe(message.FromUserName);
    expect(new URL(second.url).searchParams.get("nonce")).not.toBe(query.get("nonce"));
  });
});
