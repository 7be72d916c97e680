import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { authorizeUrl } from "../../src/core/oauth/authorize-url.js";
import { OAuthClient } from "../../src/core/oauth/client.js";
import { OAuthApiError } from "../../src/core/oauth/errors.js";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { CODE_LIFETIME_MS } from "../../src/core/platform/sns-store.js";

const APP_ID = "wxflowtest";
const SECRET = "flowsecret";
let clock = Date.now();
let mock: RunningMock;
let client: OAuthClient;

beforeAll(async () => {
  mock = await createMockPlatform({
    port: 0,
    appId: APP_ID,
    appSecret: SECRET,
    callbackDomain: "app.test",
    now: () => clock,
  }).listen();
  client = new OAuthClient({ appId: APP_ID, appSecret: SECRET, apiBase: mock.origin });
});
afterAll(() => mock.close());

/** Follows the authorize URL like a browser: consent form for userinfo, then the redirect. */
async function authorize(scope: "snsapi_base" | "snsapi_userinfo", decision = "allow", user = "1"): Promise<URL> {
  const { url } = authorizeUrl({
    appId: APP_ID,
    redirectUri: "http://app.test/index?from=menu",
    scope,
    state: "xyz",
    base: mock.origin,
  });
  const first = await fetch(url, { redirect: "manual" });
  if (scope === "snsapi_base") return new URL(first.headers.get("location")!);
  const html = await first.text();
  expect(html).toContain('id="allow"');
  const fields = Object.fromEntries(
    [...html.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, "&")]),
  );
  const form = new URLSearchParams({ ...fields, user, decision });
  const confirmed = await fetch(`${mock.origin}/connect/oauth2/authorize/confirm`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  expect(confirmed.status).toBe(302);
  return new URL(confirmed.headers.get("location")!);
}

async function errcodeOf(promise: Promise<unknown>): Promise<number> {
  try {
    await promise;
  } catch (error) {
    expect(error).toBeInstanceOf(OAuthApiError);
    return (error as OAuthApiError).errcode;
  }
  throw new Error("expected an OAuthApiError");
}

describe("web authorisation against the mock, over loopback", () => {
  const codeReuseTitle =
    "authorize → consent → redirect with code → exchange → userinfo → reuse of the code fails with 40163";
  it(codeReuseTitle, async () => {
    const redirect = await authorize("snsapi_userinfo");
    expect(`${redirect.origin}${redirect.pathname}`).toBe("http://app.test/index");
    expect(redirect.searchParams.get("from")).toBe("menu");
    expect(redirect.searchParams.get("state")).toBe("xyz");
    const code = redirect.searchParams.get("code")!;
    const token = await client.exchangeCode(code);
    expect(token).toMatchObject({
      expires_in: 7200,
      scope: "snsapi_userinfo",
      openid: expect.stringMatching(/^o[\w-]{27}$/),
    });
    const user = await client.userInfo(token.access_token, token.openid);
    expect(user).toMatchObject({ openid: token.openid, nickname: "小明🌟", privilege: [] });
    expect(await (await fetch(user.headimgurl)).text()).toContain("<svg");
    expect(await errcodeOf(client.exchangeCode(code))).toBe(40163);
    expect(await client.checkToken(token.access_token, token.openid)).toEqual({ errcode: 0, errmsg: "ok" });
    const renewed = await client.refresh(token.refresh_token);
    expect(renewed.openid).toBe(token.openid);
    expect(renewed.access_token).not.toBe(token.access_token);
  });

  it("snsapi_base redirects silently, and its token cannot read user info (48001)", async () => {
    const redirect = await authorize("snsapi_base");
    const token = await client.exchangeCode(redirect.searchParams.get("code")!);
    expect(token.scope).toBe("snsapi_base");
    expect(await errcodeOf(client.userInfo(token.access_token, token.openid))).toBe(48001);
  });

  it("deny sends the user back without a code", async () => {
    const redirect = await authorize("snsapi_userinfo", "deny");
    expect(redirect.searchParams.has("code")).toBe(false);
    expect(redirect.searchParams.get("state")).toBe("xyz");
  });

  it("answers the documented error codes", async () => {
    const code = (await authorize("snsapi_base")).searchParams.get("code")!;
    expect(
      await errcodeOf(new OAuthClient({ appId: APP_ID, appSecret: "wrong", apiBase: mock.origin }).exchangeCode(code)),
    ).toBe(40125);
    expect(
      await errcodeOf(
        new OAuthClient({ appId: "wxother", appSecret: SECRET, apiBase: mock.origin }).exchangeCode(code),
      ),
    ).toBe(40013);
    expect(await errcodeOf(client.exchangeCode("nonsense"))).toBe(40029);
    expect(await errcodeOf(client.refresh("nonsense"))).toBe(40030);
    expect(await errcodeOf(client.userInfo("nonsense", "o"))).toBe(40001);
    const missing = await (
      await fetch(
        `${mock.origin}/sns/oauth2/access_token?appid=${APP_ID}&secret=${SECRET}&grant_type=authorization_code`,
      )
    ).json();
    expect(missing).toEqual({ errcode: 41008, errmsg: expect.stringMatching(/^missing code rid: [\w-]{26}$/) });
  });

  it("a code expires after 5 minutes (42003)", async () => {
    const code = (await authorize("snsapi_base")).searchParams.get("code")!;
    clock += CODE_LIFETIME_MS + 1;
    expect(await errcodeOf(client.exchangeCode(code))).toBe(42003);
  });

  it("a redirect outside the callback domain gets the 10003 page", async () => {
    const { url } = authorizeUrl({
      appId: APP_ID,
      redirectUri: "http://evil.test/index",
      scope: "snsapi_base",
      base: mock.origin,
    });
    const response = await fetch(url, { redirect: "manual" });
    expect(response.status).toBe(400);
    expect(await response.text()).toMatch(/id="errcode">10003</);
  });

  it(
    "only http and https redirect URIs: javascript:// with the callback domain as its host " +
      "gets the 10011 page, not a redirect",
    async () => {
      for (const redirectUri of ["javascript://app.test/%0aalert(1)", "data://app.test/,x", "ftp://app.test/index"]) {
        const q = new URLSearchParams({
          appid: APP_ID,
          redirect_uri: redirectUri,
          response_type: "code",
          scope: "snsapi_base",
          state: "s",
        });
        const response = await fetch(`${mock.origin}/connect/oauth2/authorize?${q}`, { redirect: "manual" });
        expect([response.status, response.headers.get("location")]).toEqual([400, null]);
        expect(await response.text()).toMatch(/id="errcode">10011</);
        const confirmed = await fetch(`${mock.origin}/connect/oauth2/authorize/confirm`, {
          method: "POST",
          body: new URLSearchParams({
            appid: APP_ID,
            redirect_uri: redirectUri,
            scope: "snsapi_userinfo",
            state: "s",
            decision: "allow",
          }),
          redirect: "manual",
        });
        expect([confirmed.status, confirmed.headers.get("location")]).toEqual([400, null]);
      }
    },
  );

  it("a consent POST over the cap gets 413, and the mock carries on", async () => {
    const response = await fetch(`${mock.origin}/connect/oauth2/authorize/confirm`, {
      method: "POST",
      body: `state=${"x".repeat(100_000)}`,
    });
    expect([response.status, await response.text()]).toEqual([413, "payload too large"]);
    expect((await authorize("snsapi_base")).searchParams.has("code")).toBe(true);
  });

  it("an unreachable API base is a clear failed check, not a crash", async () => {
    const offline = new OAuthClient({
      appId: APP_ID,
      appSecret: SECRET,
      apiBase: "http://127.0.0.1:9",
      timeoutMs: 2000,
    });
    await expect(offline.refresh("x")).rejects.toThrow(/cannot reach the API at http:\/\/127\.0\.0\.1:9/);
  });
});
