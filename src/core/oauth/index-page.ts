import type { IncomingMessage, ServerResponse } from "node:http";
import { WxdevError } from "../errors.js";
import { OAuthClient, type AccessToken, type UserInfo } from "./client.js";
import { OAuthApiError } from "./errors.js";
import { errorPage, escapeHtml, page } from "./html.js";

export interface IndexPageOptions {
  appId?: string;
  appSecret?: string;
  apiBase?: string;
  /** Path of the page (the seed's `/index`). */
  path?: string;
}

function profile(token: AccessToken, user: UserInfo | undefined): string {
  const rows: [string, string][] = user
    ? [["nickname", user.nickname], ["openid", user.openid], ["headimgurl", user.headimgurl], ["city", `${user.province} ${user.city}`.trim()]]
    : [["openid", token.openid], ["scope", token.scope]];
  const avatar = user ? `<img src="${escapeHtml(user.headimgurl)}" alt="" width="96" height="96" id="avatar">` : "";
  const title = user ? `<h1 id="nickname">${escapeHtml(user.nickname)}</h1>` : `<h1>snsapi_base</h1><p class="muted">silent authorisation: the openid only</p>`;
  const list = rows.map(([term, value]) => `<dt>${term}</dt><dd id="${term}">${escapeHtml(value)}</dd>`).join("");
  return page("wxdev · /index", `<div class="card">${avatar}${title}<dl>${list}</dl></div>`);
}

/**
 * The seed's web side: `GET /index?code=…` exchanges the code, fetches the user's info and
 * renders it. Returns an `extraHandler` for the reference server.
 */
export function createIndexPage(options: IndexPageOptions): (request: IncomingMessage, response: ServerResponse) => Promise<boolean> {
  const path = options.path ?? "/index";
  return async (request, response) => {
    const url = new URL(request.url ?? "/", "http://localhost");
    if (url.pathname !== path || request.method !== "GET") return false;
    const send = (status: number, body: string): void => {
      response.writeHead(status, { "Content-Type": "text/html; charset=utf-8" });
      response.end(body);
    };
    if (!options.appId || !options.appSecret) {
      send(500, errorPage("not configured", "config", "wxdev serve has no appId/app secret for web authorisation", "set WXDEV_APP_ID and WXDEV_APP_SECRET (and --api-base for the mock)"));
      return true;
    }
    const code = url.searchParams.get("code");
    if (!code) {
      send(400, errorPage("no code", 41008, "this page was opened without ?code=", "open it through the authorize URL (wxdev oauth-url); if the user pressed deny, there is no code"));
      return true;
    }
    const client = new OAuthClient({ appId: options.appId, appSecret: options.appSecret, apiBase: options.apiBase });
    try {
      const token = await client.exchangeCode(code);
      const user = token.scope.includes("snsapi_userinfo") ? await client.userInfo(token.access_token, token.openid) : undefined;
      send(200, profile(token, user));
    } catch (error) {
      if (error instanceof OAuthApiError) send(400, errorPage("授权失败", error.errcode, error.errmsg, error.explanation));
      else if (error instanceof WxdevError) send(502, errorPage("API unreachable", error.code, error.message, error.hint));
      else throw error;
    }
    return true;
  };
}
