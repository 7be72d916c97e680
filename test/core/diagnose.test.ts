import { describe, expect, it } from "vitest";
import { explainStatus, explainUnreachable } from "../../src/core/client/diagnose.js";
import { jsonReplyProblem, looksLikeHtml } from "../../src/core/wire/problem.js";
import { cryptoForMode } from "../../src/core/config/mode-crypto.js";

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
    [500, "GET", /^HTTP 500: the app raised an exception handling it: the traceback is in its log \(the terminal/],
    [503, "GET", /^HTTP 503: WeChat needs 200 with the echostr$/],
    [503, "POST", /^HTTP 503: WeChat needs 200$/],
  ])("HTTP %s to a %s", (status, method, expected) => {
    expect(explainStatus(status, { method, signature: "abc" })).toMatch(expected);
  });

  it("names the Token (masked) and its source next to the signature, and the configured server's log", () => {
    const origin = { tokenFrom: "WXDEV_TOKEN", server: "s8013" };
    const request = { method: "POST", signature: "abc", token: "classtoken2024", origin } as const;
    expect(explainStatus(403, request)).toBe(
      "HTTP 403: the server rejected the signature. wxdev signed with Token cl********24 (14 chars) from WXDEV_TOKEN:" +
        " signature=abc; if your server computed another, the Tokens differ",
    );
    expect(explainStatus(500, request)).toMatch(/in its log \(wxdev logs s8013\)$/);
  });
});

describe("jsonReplyProblem", () => {
  it.each([
    ['{"xml": {"MsgType": "text"}}', "JSON"],
    [" [1, 2]", "JSON"],
    ["{'xml': {'MsgType': 'text'}}", "a Python dict"],
  ])("%s is %s", (body, what) => {
    expect(jsonReplyProblem(body)?.message).toMatch(new RegExp(`^the server answered ${what}; WeChat needs XML`));
  });

  it("leaves XML and success alone", () => {
    expect(jsonReplyProblem("<xml><MsgType>text</MsgType></xml>")).toBeUndefined();
    expect(jsonReplyProblem("success")).toBeUndefined();
  });
});

describe("explainUnreachable", () => {
  const refused = {
    kind: "network",
    cause: "refused",
    message: "nothing listens on h:80 (connection refused)",
  } as const;
  it("says what to start: the configured server's app, or the student's own", () => {
    expect(explainUnreachable(refused)).toMatch(/is the app running\? Start it: python3 wechat\.py$/);
    expect(explainUnreachable(refused, { server: "s8013" })).toMatch(/Start it: wxdev start s8013$/);
    expect(explainUnreachable({ ...refused, https: true })).toMatch(/is the scheme right\?/);
    expect(explainUnreachable({ kind: "timeout", message: "no answer within 5000 ms" })).toBe(
      "no answer within 5000 ms",
    );
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
