import { describe, expect, it } from "vitest";
import { explainStatus, looksLikeHtml } from "../../src/core/diagnose.js";
import { cryptoForMode } from "../../src/core/mode-crypto.js";

describe("explainStatus: one table for the handshake GET and the message POST", () => {
  it.each<[number, "GET" | "POST", RegExp]>([
    [301, "GET", /^HTTP 301: a redirect: WeChat does not follow redirects/],
    [308, "POST", /^HTTP 308: a redirect/],
    [403, "GET", /signature=abc; if your server computed another, the Tokens differ$/],
    [401, "POST", /signature=abc/],
    [404, "POST", /^HTTP 404: nothing at that path \(check the path/],
    [405, "GET", /does not accept GET at this path$/],
    [405, "POST", /does not accept POST at this path$/],
    [502, "GET", /the proxy could not reach the app/],
    [500, "GET", /^HTTP 500: WeChat needs 200 with the echostr$/],
    [500, "POST", /^HTTP 500: WeChat needs 200$/],
  ])("HTTP %s to a %s", (status, method, expected) => {
    expect(explainStatus(status, { method, signature: "abc" })).toMatch(expected);
  });

  it("tells an HTML page by its start, in any case, after whitespace", () => {
    expect(looksLikeHtml("\n <!DOCTYPE html><html></html>")).toBe(true);
    expect(looksLikeHtml("<HTML><body>")).toBe(true);
    expect(looksLikeHtml("<xml><html/></xml>")).toBe(false);
  });
});

describe("cryptoForMode", () => {
  const key = "a".repeat(43);
  it("needs a key in an encrypting mode, none in plain mode, and an appId with any key", () => {
    expect(cryptoForMode("plain", { token: "t" })).toBeUndefined();
    expect(() => cryptoForMode("safe", { token: "t" })).toThrow(/safe mode needs the EncodingAESKey/);
    // A key alone is an error in plain mode too, and the message no longer blames "plain mode".
    expect(() => cryptoForMode("plain", { token: "t", aesKey: key })).toThrow(/^an EncodingAESKey needs its appId$/);
    expect(cryptoForMode("compat", { token: "t", aesKey: key, appId: "wx1" })).toBeDefined();
  });
});
