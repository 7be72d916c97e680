import { sameDomain, type Scope } from "../oauth/authorize-url.js";
import { OAUTH_ERRORS } from "../oauth/errors.js";
import { errorPage } from "../oauth/html.js";
import type { ApiRoute, Call, PlatformContext, RawRoute } from "./route.js";
import { consentPage } from "./sns-pages.js";
import { ACCESS_TOKEN_LIFETIME_S } from "./sns-store.js";
import { avatarSvg, FIXTURE_USERS, fixtureOpenId, fixtureUser } from "./sns-users.js";
import { fail, ok, type Outcome, type Reply } from "./transport.js";

/** The consent form is a few hundred bytes; more is refused with 413. */
export const MAX_FORM_BYTES = 16 * 1024;

const html = (body: string, status = 200, note?: string): Reply => ({
  status,
  type: "text/html; charset=utf-8",
  body,
  note,
});
const authorizeError = (code: number, message: string): Reply =>
  html(errorPage("授权失败", code, message, OAUTH_ERRORS[code]), 400, `error ${code}`);

/** Redirects to the app with the code (or without one when the user denied). */
function redirectTo(redirectUri: string, params: Record<string, string>): Reply {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return {
    status: 302,
    type: "text/plain",
    body: "",
    headers: { Location: target.toString() },
    note: `→ ${target.origin}${target.pathname}`,
  };
}

/**
 * Web authorisation (OAuth): the authorize page and its consent form, the four sns APIs, and the fixture
 * users' avatars. Users are the account's fixture followers, with the same openids.
 */
export function snsRoutes(ctx: PlatformContext): { api: ApiRoute[]; raw: RawRoute[] } {
  const { store, appId } = ctx;
  const oauth = store.oauth;

  const checkAuthorize = (q: URLSearchParams): Reply | { redirectUri: string; scope: Scope; state: string } => {
    if (!q.get("scope")) return authorizeError(10010, "scope 参数错误或没有 scope 权限 (scope is empty)");
    if (!q.get("redirect_uri")) return authorizeError(10011, "redirect_uri 参数错误 (redirect_uri is empty)");
    if (!q.get("appid")) return authorizeError(10012, "appid 参数错误 (appid is empty)");
    if (!q.has("state")) return authorizeError(10013, "state 参数错误 (state is missing)");
    if (q.get("appid") !== appId) return authorizeError(40013, `invalid appid ${q.get("appid")}`);
    const scope = q.get("scope") as Scope;
    if (scope !== "snsapi_base" && scope !== "snsapi_userinfo")
      return authorizeError(10005, `此公众号并没有这些 scope 的权限 (${scope})`);
    let redirect: URL;
    try {
      redirect = new URL(q.get("redirect_uri") ?? "");
    } catch {
      return authorizeError(10011, "redirect_uri 参数错误 (not an absolute URL)");
    }
    // Only web pages: a javascript: or data: URI with the right "host" would run in the user's browser.
    if (redirect.protocol !== "http:" && redirect.protocol !== "https:") {
      return authorizeError(10011, "redirect_uri 参数错误 (only http and https URLs)");
    }
    if (ctx.callbackDomain !== undefined && !sameDomain(redirect, ctx.callbackDomain)) {
      const why = `redirect_uri 域名与后台配置不一致: ${redirect.host} is not ${ctx.callbackDomain}`;
      return authorizeError(10003, why);
    }
    return { redirectUri: redirect.toString(), scope, state: q.get("state") ?? "" };
  };

  const tokenReply = (grant: { user: number; scope: Scope }): Outcome => {
    const { accessToken, refreshToken } = oauth.issueTokens(grant);
    return ok({
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      refresh_token: refreshToken,
      openid: fixtureOpenId(appId, grant.user),
      scope: grant.scope,
    });
  };
  const userToken = (call: Call) => {
    const found = oauth.accessToken(call.query.get("access_token") ?? "");
    if (!found.ok)
      return found.reason === "expired" ? fail(42001) : fail(40001, "not a token of sns/oauth2/access_token");
    if (call.query.get("openid") !== fixtureOpenId(appId, found.value.user))
      return fail(40003, "openid is not the token's user");
    return found.value;
  };

  const api: ApiRoute[] = [
    {
      method: "GET",
      path: "/sns/oauth2/access_token",
      handle: (call) => {
        const q = call.query;
        if (q.get("appid") !== appId) return fail(40013);
        if (q.get("secret") !== ctx.appSecret) return fail(40125);
        if (q.get("grant_type") !== "authorization_code") return fail(40002);
        const code = q.get("code");
        if (!code) return fail(41008);
        const found = oauth.redeemCode(code);
        if (!found.ok)
          return found.reason === "used" ? fail(40163) : found.reason === "expired" ? fail(42003) : fail(40029);
        return tokenReply(found.value);
      },
    },
    {
      method: "GET",
      path: "/sns/oauth2/refresh_token",
      handle: (call) => {
        if (call.query.get("appid") !== appId) return fail(40013);
        if (call.query.get("grant_type") !== "refresh_token") return fail(40002);
        const found = oauth.refreshToken(call.query.get("refresh_token") ?? "");
        return found.ok ? tokenReply(found.value) : fail(40030);
      },
    },
    {
      method: "GET",
      path: "/sns/userinfo",
      handle: (call) => {
        const grant = userToken(call);
        if ("kind" in grant) return grant;
        if (grant.scope !== "snsapi_userinfo") return fail(48001, "the token's scope is snsapi_base");
        return ok({ ...fixtureUser(appId, grant.user, ctx.origin()) });
      },
    },
    {
      method: "GET",
      path: "/sns/auth",
      handle: (call) => {
        const grant = userToken(call);
        return "kind" in grant ? grant : ok({ errcode: 0, errmsg: "ok" });
      },
    },
  ];

  const raw: RawRoute[] = [
    {
      method: "GET",
      path: "/connect/oauth2/authorize",
      handle: (call) => {
        const checked = checkAuthorize(call.query);
        if ("status" in checked) return checked;
        if (checked.scope === "snsapi_base") {
          const code = oauth.issueCode({ user: 0, scope: checked.scope });
          return redirectTo(checked.redirectUri, { code, state: checked.state });
        }
        const fields = { appid: appId, redirect_uri: checked.redirectUri, scope: checked.scope, state: checked.state };
        return html(consentPage(fields, appId));
      },
    },
    {
      method: "POST",
      path: "/connect/oauth2/authorize/confirm",
      handle: async (call) => {
        const form = new URLSearchParams(await call.text(MAX_FORM_BYTES));
        const checked = checkAuthorize(form);
        if ("status" in checked) return checked;
        if (form.get("decision") !== "allow") return redirectTo(checked.redirectUri, { state: checked.state });
        const user = Math.min(Math.max(Number(form.get("user") ?? 0) || 0, 0), FIXTURE_USERS.length - 1);
        const code = oauth.issueCode({ user, scope: checked.scope });
        return redirectTo(checked.redirectUri, { code, state: checked.state });
      },
    },
    ...FIXTURE_USERS.map(
      (_user, index): RawRoute => ({
        method: "GET",
        path: `/avatar/${index}.svg`,
        handle: () => ({ status: 200, type: "image/svg+xml", body: avatarSvg(index) }),
      }),
    ),
  ];
  return { api, raw };
}
