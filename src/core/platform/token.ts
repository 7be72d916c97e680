import { randomBytes } from "node:crypto";
import { quotaDay } from "./quota.js";
import type { ApiRoute, Call, PlatformContext } from "./route.js";
import { BAD_JSON, fail, isRecord, ok, type Outcome } from "./transport.js";
import { TOKEN_LIFE_S } from "./tokens.js";

/** Ticket types getticket issues: the JS-SDK's, and the card API's. */
const TICKET_TYPES = new Set(["jsapi", "wx_card"]);

/** The credential checks shared by cgi-bin/token and stable_token, in the platform's order. */
function checkCredentials(ctx: PlatformContext, grant: unknown, appid: unknown, secret: unknown): Outcome | undefined {
  if (grant !== "client_credential") return fail(40002, `grant_type ${JSON.stringify(grant)}: client_credential`);
  if (appid === undefined || appid === null || appid === "") return fail(41002);
  if (appid !== ctx.appId) return fail(40013, `appid ${String(appid)} is not this account's (${ctx.appId})`);
  if (secret === undefined || secret === null || secret === "") return fail(41004);
  if (secret !== ctx.appSecret) return fail(40125, "the secret is not this account's app secret");
  return undefined;
}

/** Token routes: `cgi-bin/token`, `stable_token`, and the JS-SDK ticket (`ticket/getticket`). */
export function tokenRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  return [
    {
      method: "GET",
      path: "/cgi-bin/token",
      handle: (call: Call) => {
        const q = call.query;
        const refused = checkCredentials(ctx, q.get("grant_type"), q.get("appid"), q.get("secret"));
        if (refused !== undefined) return refused;
        if (!store.quotas.take(call.url.pathname)) return fail(45009, "200 tokens a day (a test account's quota)");
        return ok(store.tokens.issue());
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/stable_token",
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001, "the body must be a JSON object");
        const refused = checkCredentials(ctx, body.grant_type, body.appid, body.secret);
        if (refused !== undefined) return refused;
        if (!store.quotas.take(call.url.pathname)) return fail(45009);
        const answer = store.tokens.stableToken(body.force_refresh === true, quotaDay(store.clock.now()));
        return answer === "limit" ? fail(45009, "force_refresh: 20 a day") : ok(answer);
      },
    },
    {
      method: "GET",
      path: "/cgi-bin/ticket/getticket",
      token: true,
      handle: (call: Call) => {
        if (!TICKET_TYPES.has(call.query.get("type") ?? ""))
          return fail(40097, `type ${JSON.stringify(call.query.get("type"))}: jsapi or wx_card`);
        // Shaped like the platform's: 86 characters of base64url.
        const ticket = randomBytes(64).toString("base64url");
        return ok({ errcode: 0, errmsg: "ok", ticket, expires_in: TOKEN_LIFE_S });
      },
    },
  ];
}
