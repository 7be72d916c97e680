import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OVERLAP_MS, TOKEN_LIFE_S } from "../../src/core/platform/tokens.js";
import { APP_ID } from "../helpers/fixtures.js";
import { errcodeOf, type Platform, postApi, SECRET, sdkFor, startPlatform } from "../helpers/platform.js";

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(() => platform.close());

const RID = / rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$/;

describe("the access token through wechat-api", () => {
  it("getAccessToken: a token shaped like the platform's, for 7200 s, as JSON with the platform's type", async () => {
    const token = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    expect(token.accessToken).toMatch(/^\d+_[\w-]{130,}$/);
    const raw = await fetch(
      `${platform.mock.origin}/cgi-bin/token?grant_type=client_credential&appid=${APP_ID}&secret=${SECRET}`,
    );
    expect(raw.headers.get("content-type")).toBe("application/json; encoding=utf-8");
    expect(Object.keys((await raw.json()) as object)).toEqual(["access_token", "expires_in"]);
  });

  it("a new token: the old one works 5 more minutes, then 40001; the new one expires in 7200 s", async () => {
    const first = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const second = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const old = sdkFor(platform.mock.origin, first.accessToken);
    const fresh = sdkFor(platform.mock.origin, second.accessToken);
    expect(await errcodeOf(old("getFollowers"))).toBe("ok");
    platform.advance(OVERLAP_MS - 1_000);
    expect(await errcodeOf(old("getFollowers"))).toBe("ok");
    platform.advance(2_000);
    const error = await old("getFollowers").catch((caught: Error & { code: number }) => caught);
    expect(error).toMatchObject({ code: 40001, name: "WeChatAPIError" });
    expect((error as Error).message).toMatch(/^invalid credential, access_token is invalid or not latest rid: /);
    expect(await errcodeOf(fresh("getFollowers"))).toBe("ok");
    platform.advance(TOKEN_LIFE_S * 1000);
    expect(await errcodeOf(fresh("getFollowers"))).toBe(42001);
  });

  it("no token: 41001; a garbage one: 40001; each error carries a rid that openapi/rid/get explains", async () => {
    const { accessToken } = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const missing = await (await fetch(`${platform.mock.origin}/cgi-bin/menu/get`)).json();
    expect(missing).toEqual({ errcode: 41001, errmsg: expect.stringMatching(/^access_token missing rid: /) });
    const garbage = (await (await fetch(`${platform.mock.origin}/cgi-bin/menu/get?access_token=2`)).json()) as {
      errcode: number;
      errmsg: string;
    };
    expect(garbage.errcode).toBe(40001);
    const rid = /rid: (\S+)$/.exec(garbage.errmsg)?.[1];
    const base = `${platform.mock.origin}/cgi-bin/openapi/rid/get?access_token=${accessToken}`;
    const found = await postApi(platform.mock.origin, base.slice(platform.mock.origin.length), { rid });
    expect(found).toMatchObject({
      errcode: 0,
      errmsg: "ok",
      request: { request_url: "access_token=2", request_body: "", response_body: JSON.stringify(garbage) },
      why: "not a token this account issued",
    });
    expect(rid?.slice(0, 8)).toBe((found.request as { invoke_time: number }).invoke_time.toString(16));
    const path = base.slice(platform.mock.origin.length);
    expect(await postApi(platform.mock.origin, path, { rid: "nonsense" })).toMatchObject({ errcode: 76002 });
    expect(await postApi(platform.mock.origin, path, { rid: "00000000-00000000-00000000" })).toMatchObject({
      errcode: 76001,
      errmsg: expect.stringMatching(RID),
    });
  });

  it("a user's web-authorisation token on a cgi-bin API: 40014", async () => {
    const { accessToken } = platform.mock.store.oauth.issueTokens({ user: 0, scope: "snsapi_base" });
    expect(await errcodeOf(sdkFor(platform.mock.origin, accessToken)("getFollowers"))).toBe(40014);
  });

  it("a GET on a POST API: 43002", async () => {
    const { accessToken } = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const answer = (await (
      await fetch(`${platform.mock.origin}/cgi-bin/menu/create?access_token=${accessToken}`)
    ).json()) as { errcode: number };
    expect(answer.errcode).toBe(43002);
  });
});

describe("stable_token", () => {
  const stable = (force_refresh?: boolean) =>
    postApi(platform.mock.origin, "/cgi-bin/stable_token", {
      grant_type: "client_credential",
      appid: APP_ID,
      secret: SECRET,
      ...(force_refresh === undefined ? {} : { force_refresh }),
    });

  it("one token while it lives (expires_in: what is left), renewed in its last 5 minutes; force_refresh", async () => {
    const first = await stable();
    expect(first.expires_in).toBe(7200);
    platform.advance(100_000);
    const again = await stable();
    expect(again.access_token).toBe(first.access_token);
    expect(again.expires_in).toBe(7100);
    // Isolated from cgi-bin/token: getting one there does not end this one.
    await platform.sdk("getAccessToken");
    expect(await errcodeOf(sdkFor(platform.mock.origin, String(first.access_token))("getFollowers"))).toBe("ok");
    platform.advance((7100 - 299) * 1000);
    const renewed = await stable();
    expect(renewed.access_token).not.toBe(first.access_token);
    expect(renewed.expires_in).toBe(7200);
    expect(await errcodeOf(sdkFor(platform.mock.origin, String(first.access_token))("getFollowers"))).toBe("ok");
    const forced = await stable(true);
    expect(forced.access_token).not.toBe(renewed.access_token);
    expect(await errcodeOf(sdkFor(platform.mock.origin, String(renewed.access_token))("getFollowers"))).toBe(40001);
    // Within 30 s of a forced refresh: no refresh, the current token.
    expect((await stable(true)).access_token).toBe(forced.access_token);
  });

  it("a wrong secret: 40125; not JSON: 47001", async () => {
    const wrong = await postApi(platform.mock.origin, "/cgi-bin/stable_token", {
      grant_type: "client_credential",
      appid: APP_ID,
      secret: "nope",
    });
    expect(wrong.errcode).toBe(40125);
    const response = await fetch(`${platform.mock.origin}/cgi-bin/stable_token`, { method: "POST", body: "{" });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(47001);
  });
});

describe("daily quotas of a test account", () => {
  it("200 tokens a day, then 45009; quota/get counts; clear_quota starts again, 10 times a month (48006)", async () => {
    const { accessToken } = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const token = sdkFor(platform.mock.origin, accessToken);
    const quotaPath = `/cgi-bin/openapi/quota/get?access_token=${accessToken}`;
    const before = (await postApi(platform.mock.origin, quotaPath, { cgi_path: "/cgi-bin/token" })).quota as {
      used: number;
    };
    for (let used = before.used; used < 200; used++) await platform.sdk("getAccessToken");
    expect(await errcodeOf(platform.sdk("getAccessToken"))).toBe(45009);
    expect(await postApi(platform.mock.origin, quotaPath, { cgi_path: "/cgi-bin/token" })).toMatchObject({
      quota: { daily_limit: 200, used: 200, remain: 0 },
    });
    expect(await postApi(platform.mock.origin, quotaPath, { cgi_path: "/nope" })).toMatchObject({ errcode: 76021 });
    expect(await errcodeOf(token("clearQuota", "wxother"))).toBe(40013);
    expect(await errcodeOf(token("clearQuota", APP_ID))).toBe("ok");
    expect(await errcodeOf(platform.sdk("getAccessToken"))).toBe("ok");
    const fresh = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const clear = sdkFor(platform.mock.origin, fresh.accessToken);
    for (let i = 1; i < 10; i++) expect(await errcodeOf(clear("clearQuota", APP_ID))).toBe("ok");
    expect(await errcodeOf(clear("clearQuota", APP_ID))).toBe(48006);
  });
});
