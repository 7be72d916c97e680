import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { OAuthClient } from "../../src/core/oauth/client.js";
import { OAuthApiError } from "../../src/core/oauth/errors.js";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";

const APP_ID = "wxtickettest";
const SECRET = "ticketsecret";
let clock = Date.now();
let mock: RunningMock;
const lines: { path: string; status: number; latencyMs: number; note?: string }[] = [];

beforeAll(async () => {
  mock = await createMockPlatform({
    port: 0,
    appId: APP_ID,
    appSecret: SECRET,
    now: () => clock,
    onRequest: (line) => lines.push(line),
  }).listen();
});
afterAll(() => mock.close());

/** GET on the mock over real HTTP: status, content type and the JSON body. */
async function get(path: string, query: Record<string, string>) {
  const response = await fetch(`${mock.origin}${path}?${new URLSearchParams(query)}`);
  const body = (await response.json()) as Record<string, unknown> & { access_token: string };
  return { status: response.status, type: response.headers.get("content-type"), body };
}
const token = (query: Record<string, string> = {}) =>
  get("/cgi-bin/token", { grant_type: "client_credential", appid: APP_ID, secret: SECRET, ...query });
/** An errmsg as the platform writes it: the text, then the request's rid. */
const withRid = (text: string) =>
  expect.stringMatching(new RegExp(`^${text} rid: [0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}$`));
const ticket = (query: Record<string, string>) => get("/cgi-bin/ticket/getticket", { type: "jsapi", ...query });

describe("wxdev mock: GET /cgi-bin/token", () => {
  it("gives the account's access token for 7200 s", async () => {
    const answer = await token();
    expect(answer.status).toBe(200);
    // The platform's own header (sic: encoding=, not charset=).
    expect(answer.type).toBe("application/json; encoding=utf-8");
    expect(Object.keys(answer.body)).toEqual(["access_token", "expires_in"]);
    expect(answer.body.access_token).toMatch(/^\d+_[\w-]{130,}$/);
    expect(answer.body.expires_in).toBe(7200);
  });

  it.each<[string, Record<string, string>, number, string]>([
    ["a wrong grant_type", { grant_type: "authorization_code" }, 40002, "invalid grant_type"],
    ["no appid", { appid: "" }, 41002, "appid missing"],
    ["another appid", { appid: "wxother" }, 40013, "invalid appid"],
    ["no secret", { secret: "" }, 41004, "appsecret missing"],
    ["a wrong secret", { secret: "guess" }, 40125, "invalid appsecret"],
  ])("%s: errcode %i", async (_case, query, errcode, errmsg) => {
    expect(await token(query)).toMatchObject({ status: 200, body: { errcode, errmsg: withRid(errmsg) } });
  });
});

describe("wxdev mock: GET /cgi-bin/ticket/getticket", () => {
  it("gives a jsapi ticket for the account's token; the request log notes only errors", async () => {
    const { access_token } = (await token()).body;
    const answer = await ticket({ access_token });
    expect(answer.body).toEqual({
      errcode: 0,
      errmsg: "ok",
      ticket: expect.stringMatching(/^[\w-]{86}$/),
      expires_in: 7200,
    });
    expect(lines.at(-1)).toEqual({
      method: "GET",
      path: "/cgi-bin/ticket/getticket",
      status: 200,
      latencyMs: expect.any(Number),
    });
    expect(JSON.stringify(lines)).not.toContain(access_token);
  });

  it("a missing, unknown or user's (sns) token, and a bad type, get the platform's errcodes", async () => {
    const { access_token } = (await token()).body;
    expect((await ticket({})).body).toEqual({ errcode: 41001, errmsg: withRid("access_token missing") });
    expect((await ticket({ access_token: "forged" })).body).toMatchObject({ errcode: 40001 });
    expect((await ticket({ access_token, type: "js" })).body).toEqual({
      errcode: 40097,
      errmsg: withRid("invalid args"),
    });
    expect((await ticket({ access_token, type: "wx_card" })).body).toMatchObject({ errcode: 0 });
    expect(lines.at(-2)).toMatchObject({ status: 200, note: expect.stringMatching(/^errcode 40097: type "js"/) });
  });

  it("a token older than 7200 s is expired: 42001", async () => {
    const { access_token } = (await token()).body;
    clock += 7200 * 1000;
    try {
      expect((await ticket({ access_token })).body).toEqual({
        errcode: 42001,
        errmsg: withRid("access_token expired"),
      });
    } finally {
      clock -= 7200 * 1000;
    }
  });
});

describe("OAuthClient against the mock: token, then ticket", () => {
  it("gets a ticket in two calls; a wrong secret is a typed error with advice", async () => {
    const client = new OAuthClient({ appId: APP_ID, appSecret: SECRET, apiBase: mock.origin });
    const { access_token } = await client.clientToken();
    expect((await client.jsapiTicket(access_token)).ticket).toMatch(/^[\w-]{86}$/);
    const wrong = new OAuthClient({ appId: APP_ID, appSecret: "nope", apiBase: mock.origin });
    const error = await wrong.clientToken().catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(OAuthApiError);
    expect(error).toMatchObject({ errcode: 40125, hint: expect.stringContaining("check the appSecret setting") });
  });
});
