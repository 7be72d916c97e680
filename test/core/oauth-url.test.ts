import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/support/errors.js";
import { authorizeUrl } from "../../src/core/oauth/authorize-url.js";
import { vectors } from "../helpers/vectors.js";

describe("authorizeUrl", () => {
  it.each(vectors.oauthAuthorizeUrl)("matches the $source vector exactly", (vector) => {
    const { url, warnings } = authorizeUrl({
      appId: vector.appId,
      redirectUri: vector.redirectUri,
      scope: vector.scope as "snsapi_userinfo",
      state: vector.state,
    });
    expect(url).toBe(vector.url);
    expect(warnings).toEqual([]);
  });

  it.each([
    [
      "a query string",
      "http://example.com/index?from=menu&x=1",
      "http%3A%2F%2Fexample.com%2Findex%3Ffrom%3Dmenu%26x%3D1",
    ],
    ["CJK", "http://example.com/首页", "http%3A%2F%2Fexample.com%2F%E9%A6%96%E9%A1%B5"],
    ["spaces", "http://example.com/a b", "http%3A%2F%2Fexample.com%2Fa%20b"],
    ["a # route", "http://example.com/#/profile", "http%3A%2F%2Fexample.com%2F%23%2Fprofile"],
  ])("encodes a redirect URI with %s as a whole", (_name, redirectUri, encoded) => {
    const { url } = authorizeUrl({ appId: "wx1", redirectUri, scope: "snsapi_base", state: "s" });
    expect(url).toBe(
      `https://open.weixin.qq.com/connect/oauth2/authorize?appid=wx1&redirect_uri=${encoded}&` +
        "response_type=code&scope=snsapi_base&state=s#wechat_redirect",
    );
  });

  it("warns about a # fragment and a redirect host that differs from the callback domain", () => {
    const { warnings } = authorizeUrl({
      appId: "wx1",
      redirectUri: "http://other.com/#/me",
      callbackDomain: "example.com",
    });
    expect(warnings).toHaveLength(2);
    expect(warnings[0]).toMatch(/10003/);
    expect(warnings[1]).toMatch(/# fragment/);
    expect(
      authorizeUrl({ appId: "wx1", redirectUri: "http://example.com:8013/index", callbackDomain: "example.com" })
        .warnings,
    ).toEqual([]);
    expect(
      authorizeUrl({ appId: "wx1", redirectUri: "http://example.com:8013/index", callbackDomain: "example.com:80" })
        .warnings,
    ).toHaveLength(1);
  });

  it("builds the website QR-login variant", () => {
    expect(authorizeUrl({ appId: "wx1", redirectUri: "https://a.com/cb", qrconnect: true, state: "x" }).url).toBe(
      "https://open.weixin.qq.com/connect/qrconnect?appid=wx1&" +
        "redirect_uri=https%3A%2F%2Fa.com%2Fcb&response_type=code&scope=snsapi_login&" +
        "state=x#wechat_redirect",
    );
  });

  it("points at another base (the mock) without changing the query", () => {
    expect(authorizeUrl({ appId: "wx1", redirectUri: "http://a.com/", base: "http://127.0.0.1:9000/" }).url).toMatch(
      /^http:\/\/127\.0\.0\.1:9000\/connect\/oauth2\/authorize\?appid=wx1&redirect_uri=/,
    );
  });

  it.each([
    ["a relative redirect URI", { redirectUri: "/index" }, /not an absolute URL/],
    ["a non-http redirect URI", { redirectUri: "ftp://a.com/" }, /http or https/],
    ["a state with symbols", { state: "a-b" }, /letters and digits/],
    ["a state over 128", { state: "a".repeat(129) }, /at most 128/],
    ["an unknown scope", { scope: "snsapi_all" }, /unknown scope/],
    ["snsapi_login without qrconnect", { scope: "snsapi_login" }, /does not fit/],
    ["an empty appId", { appId: "" }, /missing appId/],
  ])("rejects %s", (_name, override, message) => {
    expect(() => authorizeUrl({ appId: "wx1", redirectUri: "http://a.com/", ...(override as object) })).toThrow(
      InputError,
    );
    expect(() => authorizeUrl({ appId: "wx1", redirectUri: "http://a.com/", ...(override as object) })).toThrow(
      message,
    );
  });
});
