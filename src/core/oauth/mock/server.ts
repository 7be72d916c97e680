import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { BodyTooLarge, readBody } from "../../support/http-body.js";
import { listen } from "../../support/listen.js";
import { sameDomain, type Scope } from "../authorize-url.js";
import { OAUTH_ERRORS } from "../errors.js";
import { errorPage } from "../html.js";
import { cgiBinRoutes } from "./cgi-bin.js";
import { consentPage } from "./pages.js";
import { ACCESS_TOKEN_LIFETIME_S, OAuthStore } from "./store.js";
import { avatarSvg, FIXTURE_USERS, fixtureOpenId, fixtureUser } from "./users.js";

export interface MockOptions {
  host?: string;
  port?: number;
  appId: string;
  appSecret: string;
  /** The 授权回调页面域名: redirects elsewhere get the 10003 page. Unset: any domain. */
  callbackDomain?: string;
  now?: () => number;
  onRequest?: (line: { method: string; path: string; status: number; note?: string }) => void;
}

export interface RunningMock {
  origin: string;
  port: number;
  close(): Promise<void>;
}

type Reply = { status: number; type: string; body: string; location?: string; note?: string };
const json = (value: unknown, note?: string): Reply => ({
  status: 200,
  type: "application/json; charset=utf-8",
  body: JSON.stringify(value),
  note,
});
const apiError = (errcode: number, errmsg: string): Reply => json({ errcode, errmsg }, `errcode ${errcode}`);
const html = (body: string, status = 200, note?: string): Reply => ({
  status,
  type: "text/html; charset=utf-8",
  body,
  note,
});
const authorizeError = (code: number, message: string): Reply =>
  html(errorPage("授权失败", code, message, OAUTH_ERRORS[code]), 400, `error ${code}`);

const text = (status: number, body: string, note?: string): Reply => ({
  status,
  type: "text/plain; charset=utf-8",
  body,
  note,
});

/** The consent form is a few hundred bytes; more is refused with 413. */
export const MAX_FORM_BYTES = 16 * 1024;

async function readForm(request: IncomingMessage): Promise<URLSearchParams> {
  return new URLSearchParams(await readBody(request, MAX_FORM_BYTES));
}

/** Redirects to the app with the code (or without one when the user denied). */
function redirectTo(redirectUri: string, params: Record<string, string>): Reply {
  const target = new URL(redirectUri);
  for (const [key, value] of Object.entries(params)) target.searchParams.set(key, value);
  return {
    status: 302,
    type: "text/plain",
    body: "",
    location: target.toString(),
    note: `→ ${target.origin}${target.pathname}`,
  };
}

/**
 * A local stand-in for the platform's web authorisation (the authorize page and the four sns APIs) and for
 * the account's access token and JS-SDK ticket.
 */
export function createMockPlatform(options: MockOptions): { listen(): Promise<RunningMock> } {
  const store = new OAuthStore(options.now);
  let origin = "";

  const checkAuthorize = (q: URLSearchParams): Reply | { redirectUri: string; scope: Scope; state: string } => {
    if (!q.get("scope")) return authorizeError(10010, "scope 参数错误或没有 scope 权限 (scope is empty)");
    if (!q.get("redirect_uri")) return authorizeError(10011, "redirect_uri 参数错误 (redirect_uri is empty)");
    if (!q.get("appid")) return authorizeError(10012, "appid 参数错误 (appid is empty)");
    if (!q.has("state")) return authorizeError(10013, "state 参数错误 (state is missing)");
    if (q.get("appid") !== options.appId) return authorizeError(40013, `invalid appid ${q.get("appid")}`);
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
    if (options.callbackDomain !== undefined && !sameDomain(redirect, options.callbackDomain)) {
      return authorizeError(
        10003,
        `redirect_uri 域名与后台配置不一致: ${redirect.host} is not ${options.callbackDomain}`,
      );
    }
    return { redirectUri: redirect.toString(), scope, state: q.get("state") ?? "" };
  };

  const routes: Record<string, (q: URLSearchParams, request: IncomingMessage) => Reply | Promise<Reply>> = {
    "GET /connect/oauth2/authorize": (q) => {
      const checked = checkAuthorize(q);
      if ("status" in checked) return checked;
      if (checked.scope === "snsapi_base") {
        return redirectTo(checked.redirectUri, {
          code: store.issueCode({ user: 0, scope: checked.scope }),
          state: checked.state,
        });
      }
      return html(
        consentPage(
          { appid: options.appId, redirect_uri: checked.redirectUri, scope: checked.scope, state: checked.state },
          options.appId,
        ),
      );
    },
    "POST /connect/oauth2/authorize/confirm": async (_q, request) => {
      const form = await readForm(request);
      const checked = checkAuthorize(form);
      if ("status" in checked) return checked;
      if (form.get("decision") !== "allow") return redirectTo(checked.redirectUri, { state: checked.state });
      const user = Math.min(Math.max(Number(form.get("user") ?? 0) || 0, 0), FIXTURE_USERS.length - 1);
      return redirectTo(checked.redirectUri, {
        code: store.issueCode({ user, scope: checked.scope }),
        state: checked.state,
      });
    },
    "GET /sns/oauth2/access_token": (q) => {
      if (q.get("appid") !== options.appId) return apiError(40013, "invalid appid");
      if (q.get("secret") !== options.appSecret) return apiError(40125, "invalid appsecret");
      if (q.get("grant_type") !== "authorization_code") return apiError(40002, "invalid grant_type");
      const code = q.get("code");
      if (!code) return apiError(41008, "missing code");
      const found = store.redeemCode(code);
      if (!found.ok)
        return found.reason === "used"
          ? apiError(40163, "code been used")
          : found.reason === "expired"
            ? apiError(42003, "code expired")
            : apiError(40029, "invalid code");
      return tokenReply(found.value);
    },
    "GET /sns/oauth2/refresh_token": (q) => {
      if (q.get("appid") !== options.appId) return apiError(40013, "invalid appid");
      if (q.get("grant_type") !== "refresh_token") return apiError(40002, "invalid grant_type");
      const found = store.refreshToken(q.get("refresh_token") ?? "");
      return found.ok ? tokenReply(found.value) : apiError(40030, "invalid refresh_token");
    },
    "GET /sns/userinfo": (q) => {
      const found = store.accessToken(q.get("access_token") ?? "");
      if (!found.ok)
        return found.reason === "expired"
          ? apiError(42001, "access_token expired")
          : apiError(40001, "invalid credential, access_token is invalid or not latest");
      if (q.get("openid") !== fixtureOpenId(options.appId, found.value.user)) return apiError(40003, "invalid openid");
      if (found.value.scope !== "snsapi_userinfo") return apiError(48001, "api unauthorized");
      return json(fixtureUser(options.appId, found.value.user, origin));
    },
    "GET /sns/auth": (q) => {
      const found = store.accessToken(q.get("access_token") ?? "");
      if (!found.ok)
        return found.reason === "expired"
          ? apiError(42001, "access_token expired")
          : apiError(40001, "invalid credential, access_token is invalid or not latest");
      if (q.get("openid") !== fixtureOpenId(options.appId, found.value.user)) return apiError(40003, "invalid openid");
      return json({ errcode: 0, errmsg: "ok" });
    },
  };

  for (const [route, handler] of Object.entries(cgiBinRoutes(options, store))) {
    routes[route] = (q) => {
      const answer = handler(q);
      return json(answer, answer.errcode ? `errcode ${answer.errcode}` : undefined);
    };
  }

  function tokenReply(grant: { user: number; scope: Scope }): Reply {
    const { accessToken, refreshToken } = store.issueTokens(grant);
    return json({
      access_token: accessToken,
      expires_in: ACCESS_TOKEN_LIFETIME_S,
      refresh_token: refreshToken,
      openid: fixtureOpenId(options.appId, grant.user),
      scope: grant.scope,
    });
  }

  /** The reply to one request: a client can send anything, so every failure is a fixed 4xx/500 body. */
  async function answer(request: IncomingMessage): Promise<{ path: string; reply: Reply }> {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      return { path: "?", reply: text(400, "bad request", "unparsable request target") };
    }
    const avatar = /^\/avatar\/(\d)\.svg$/.exec(url.pathname);
    if (avatar && Number(avatar[1]) < FIXTURE_USERS.length)
      return { path: url.pathname, reply: { status: 200, type: "image/svg+xml", body: avatarSvg(Number(avatar[1])) } };
    const route = routes[`${request.method} ${url.pathname}`];
    if (route === undefined) return { path: url.pathname, reply: text(404, "not found") };
    try {
      return { path: url.pathname, reply: await route(url.searchParams, request) };
    } catch (error) {
      if (error instanceof BodyTooLarge)
        return { path: url.pathname, reply: text(413, "payload too large", `body over ${MAX_FORM_BYTES} bytes`) };
      return { path: url.pathname, reply: text(500, "internal error", String(error)) };
    }
  }

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const { path, reply } = await answer(request);
    request.resume(); // whatever body a route did not read
    if (!response.headersSent) {
      response.writeHead(reply.status, {
        "Content-Type": reply.type,
        ...(reply.location ? { Location: reply.location } : {}),
      });
      response.end(reply.body);
    }
    options.onRequest?.({
      method: request.method ?? "GET",
      path: path.slice(0, 200),
      status: reply.status,
      note: reply.note,
    });
  });

  return {
    listen: async () => {
      const listening = await listen(server, options.port ?? 9000, options.host ?? "127.0.0.1");
      origin = listening.origin;
      return { origin, port: listening.port, close: listening.close };
    },
  };
}

/** A throwaway secret for a mock started without one. */
export function generateMockSecret(): string {
  return randomBytes(16).toString("hex");
}
