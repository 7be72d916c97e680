import { Agent, request } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { CODE_LIFETIME_MS, MAX_ENTRIES, OAuthStore } from "../../src/core/platform/sns-store.js";

describe("the mock's store is bounded (anyone who reaches it can ask for codes)", () => {
  it("keeps at most MAX_ENTRIES codes, however many are asked for; long-expired ones go first", () => {
    let clock = 1_000_000;
    const store = new OAuthStore(() => clock);
    for (let i = 0; i < 3 * MAX_ENTRIES; i++) {
      store.issueCode({ user: 0, scope: "snsapi_base" });
      clock += 1;
    }
    expect(store.size).toBe(MAX_ENTRIES);
    clock += 2 * CODE_LIFETIME_MS + 1;
    const fresh = store.issueCode({ user: 0, scope: "snsapi_base" });
    expect(store.size).toBe(1);
    expect(store.redeemCode(fresh)).toMatchObject({ ok: true });
  });

  it("a used or just-expired code is still told apart from an unknown one", () => {
    let clock = 1_000_000;
    const store = new OAuthStore(() => clock);
    const used = store.issueCode({ user: 0, scope: "snsapi_base" });
    const late = store.issueCode({ user: 0, scope: "snsapi_base" });
    store.redeemCode(used);
    clock += CODE_LIFETIME_MS + 1;
    store.issueCode({ user: 0, scope: "snsapi_base" });
    expect(store.redeemCode(used)).toEqual({ ok: false, reason: "used" });
    expect(store.redeemCode(late)).toEqual({ ok: false, reason: "expired" });
  });
});

describe("the mock over HTTP: a flood of unauthenticated authorizations", () => {
  const APP_ID = "wxstoretest";
  const SECRET = "storesecret";
  let mock: RunningMock;
  const agent = new Agent({ keepAlive: true, maxSockets: 16 });

  beforeAll(async () => {
    mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET }).listen();
  });
  afterAll(async () => {
    agent.destroy();
    await mock.close();
  });

  const get = (path: string): Promise<{ status: number; location?: string; body: string }> =>
    new Promise((resolve, reject) => {
      request(`${mock.origin}${path}`, { agent }, (response) => {
        let body = "";
        response.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
        response.on("end", () =>
          resolve({ status: response.statusCode ?? 0, location: response.headers.location, body }),
        );
      })
        .on("error", reject)
        .end();
    });
  const authorize = async (): Promise<string> => {
    const query = new URLSearchParams({
      appid: APP_ID,
      redirect_uri: "http://app.test/index",
      response_type: "code",
      scope: "snsapi_base",
      state: "s",
    });
    const { location } = await get(`/connect/oauth2/authorize?${query}`);
    return new URL(location ?? "").searchParams.get("code") ?? "";
  };
  const exchange = async (code: string): Promise<{ errcode?: number; openid?: string }> => {
    const query = new URLSearchParams({ appid: APP_ID, secret: SECRET, code, grant_type: "authorization_code" });
    return JSON.parse((await get(`/sns/oauth2/access_token?${query}`)).body);
  };

  /** The store's MAX_ENTRIES, spelled out: the test stands without the export. */
  const CAP = 10_000;

  it("the oldest code goes once 10,000 newer ones were issued; the newest still work", async () => {
    const first = await authorize();
    for (let sent = 0; sent < CAP; sent += 100) await Promise.all(Array.from({ length: 100 }, authorize));
    const last = await authorize();
    expect(await exchange(first)).toMatchObject({ errcode: 40029 });
    expect(await exchange(last)).toMatchObject({ openid: expect.any(String) });
  }, 60_000);
});
