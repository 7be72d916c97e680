import type { IncomingMessage, ServerResponse } from "node:http";
import type { IncomingHttpHeaders } from "node:http";
import { WxdevError } from "../support/errors.js";
import { AUTHORIZE_BASE, authorizeUrl } from "./authorize-url.js";
import { OAuthClient, type AccessToken, type UserInfo } from "./client.js";
import { OAuthApiError } from "./errors.js";
import { errorPage, escapeHtml, page } from "./html.js";

export interface IndexPageOptions {
  appId?: string;
  appSecret?: string;
  apiBase?: string;
  /** Path of the page (the seed's `/index`; behind the class's nginx e.g. `/wechat8013/index`). */
  path?: string;
  /** Where the authorize page lives: the real one, or with an `apiBase` the mock there (which serves both). */
  authorizeBase?: string;
}

/** The page's path when none is given: the seed's. */
export const DEFAULT_INDEX_PATH = "/index";

/**
 * This page's own address as the browser reached it, the redirect_uri to come back to: the Host header (nginx
 * passes it on) and X-Forwarded-Proto behind a proxy. Undefined for a Host that is not a plain host[:port].
 */
export function pageUrl(headers: IncomingHttpHeaders, path: string): string | undefined {
  const host = headers.host ?? "";
  if (!/^([A-Za-z0-9.-]+|\[[0-9A-Fa-f:.]+\])(:\d{1,5})?$/.test(host)) return undefined;
  const proto = headers["x-forwarded-proto"] === "https" ? "https" : "http";
  return `${proto}://${host}${path}`;
}

/** The link that starts web authorisation and comes back to this page, when the appId and Host allow one. */
function authorizeLink(options: IndexPageOptions, headers: IncomingHttpHeaders, path: string) {
  const redirectUri = pageUrl(headers, path);
  if (redirectUri === undefined || !options.appId) return undefined;
  const base = options.authorizeBase ?? options.apiBase ?? AUTHORIZE_BASE;
  const { url } = authorizeUrl({ appId: options.appId, redirectUri, scope: "snsapi_userinfo", base });
  return { href: url, text: "授权登录 (authorize and come back here)" };
}

function profile(token: AccessToken, user: UserInfo | undefined): string {
  const rows: [string, string][] = user
    ? [
        ["nickname", user.nickname],
        ["openid", user.openid],
        ["headimgurl", user.headimgurl],
        ["city", `${user.province} ${user.city}`.trim()],
      ]
    : [
        ["openid", token.openid],
        ["scope", token.scope],
      ];
  const avatar = user ? `<img src="${escapeHtml(user.headimgurl)}" alt="" width="96" height="96" id="avatar">` : "";
  const title = user
    ? `<h1 id="nickname">${escapeHtml(user.nickname)}</h1>`
    : `<h1>snsapi_base</h1><p class="muted">silent authorisation: the openid only</p>`;
  const list = rows.map(([term, value]) => `<dt>${term}</dt><dd id="${term}">${escapeHtml(value)}</dd>`).join("");
  return page("wxdev · /index", `<div class="card">${avatar}${title}<dl>${list}</dl></div>`);
}

/**
 * The seed's web side: `GET /index?code=…` exchanges the code, fetches the user's info and
 * renders it. Returns an `extraHandler` for the reference server. The page shows the
 * platform's own errcode and errmsg (what a user should be told); anything internal (an
 * unreachable API, missing settings) gets a fixed page and goes to the log as `error`.
 */
export function createIndexPage(
  options: IndexPageOptions,
): (request: IncomingMessage, response: ServerResponse, url: URL) => Promise<boolean | { error: string }> {
  const path = options.path ?? DEFAULT_INDEX_PATH;
  return async (request, response, url) => {
    if (url.pathname !== path || request.method !== "GET") return false;
    const send = (status: number, body: string): void => {
      response.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
      response.end(body);
    };
    if (!options.appId || !options.appSecret) {
      send(500, errorPage("not configured", 500, "this page is not set up yet"));
      return {
        error:
          "no appId/app secret for web authorisation: set the appId and appSecret settings" +
          " (and apiBase for the mock)",
      };
    }
    const code = url.searchParams.get("code");
    if (!code) {
      send(
        400,
        errorPage(
          "no code",
          41008,
          "this page was opened without ?code=",
          "open it through the authorize URL (wxdev oauth-url); if the user pressed deny, there is no code",
          authorizeLink(options, request.headers, path),
        ),
      );
      return { error: "no ?code=" };
    }
    const client = new OAuthClient({ appId: options.appId, appSecret: options.appSecret, apiBase: options.apiBase });
    try {
      const token = await client.exchangeCode(code);
      const user = token.scope.includes("snsapi_userinfo")
        ? await client.userInfo(token.access_token, token.openid)
        : undefined;
      send(200, profile(token, user));
      return true;
    } catch (error) {
      if (error instanceof OAuthApiError) {
        send(400, errorPage("授权失败", error.errcode, error.errmsg, error.explanation));
        return { error: `errcode ${error.errcode} ${error.errmsg}` };
      }
      if (!(error instanceof WxdevError)) throw error;
      send(502, errorPage("API unreachable", 502, "the authorisation service did not answer; try again later"));
      return { error: `${error.message}${error.hint ? ` (${error.hint})` : ""}` };
    }
  };
}
