import { TEST_ACCOUNT_QUOTAS } from "./quota.js";
import type { ApiRoute, Call, PlatformContext } from "./route.js";
import { BAD_JSON, done, fail, isRecord } from "./transport.js";

/** The account's own API: `clear_quota`, `openapi/quota/get`, `openapi/rid/get`. */
export function openApiRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  return [
    {
      method: "POST",
      path: "/cgi-bin/clear_quota",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        if (body.appid === undefined || body.appid === "") return fail(41002);
        if (body.appid !== ctx.appId) return fail(40013, "appid differs from the access_token's account");
        if (!store.quotas.clear()) return fail(48006, "10 clears a month");
        store.changed();
        return done();
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/openapi/quota/get",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        const path = body.cgi_path;
        const quota = typeof path === "string" ? store.quotas.get(path) : undefined;
        if (quota === undefined)
          return fail(76021, `counted here: ${Object.keys(TEST_ACCOUNT_QUOTAS).join(", ")} (a path, no host)`);
        return done({ quota });
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/openapi/rid/get",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        const found = store.rids.find(body.rid, store.clock.seconds());
        if (found === "bad") return fail(76002, "a rid is three groups of 8 hex digits");
        if (found === "unknown") return fail(76001, "no error with this rid in the last 7 days of this mock");
        const { why, ...request } = found;
        return done({ request, ...(why === undefined ? {} : { why }) });
      },
    },
  ];
}
