import { InputError } from "../support/errors.js";
import { MissingSettingError } from "../config/settings.js";

/** snsapi_base: silent, openid only; snsapi_userinfo: asks the user; snsapi_login: website QR login. */
export type Scope = "snsapi_base" | "snsapi_userinfo" | "snsapi_login";
export const SCOPES: readonly Scope[] = ["snsapi_base", "snsapi_userinfo", "snsapi_login"];

export const AUTHORIZE_BASE = "https://open.weixin.qq.com";

export interface AuthorizeUrlOptions {
  appId: string;
  redirectUri: string;
  scope?: Scope;
  state?: string;
  /** The website QR-login variant (`/connect/qrconnect`, scope snsapi_login). */
  qrconnect?: boolean;
  /** The 授权回调页面域名 configured on the platform; a differing redirect host is warned about (10003). */
  callbackDomain?: string;
  /** Where the authorize page lives (default the real one; `wxdev mock` for offline tries). */
  base?: string;
}

/** Builds the authorize URL exactly as documented (protocol §5), with warnings for likely mistakes. */
export function authorizeUrl(options: AuthorizeUrlOptions): { url: string; warnings: string[] } {
  const scope = options.scope ?? (options.qrconnect ? "snsapi_login" : "snsapi_base");
  const state = options.state ?? "";
  if (options.appId.trim() === "") throw new MissingSettingError("appId");
  if (!SCOPES.includes(scope))
    throw new InputError(`unknown scope ${JSON.stringify(scope)}`, { hint: `use one of ${SCOPES.join(", ")}` });
  if (options.qrconnect ? scope !== "snsapi_login" : scope === "snsapi_login") {
    throw new InputError(
      `scope ${scope} does not fit the ${options.qrconnect ? "website QR login" : "in-WeChat"} page`,
      {
        hint: "use snsapi_login for the website QR login page, and snsapi_base or snsapi_userinfo otherwise",
        input: "scope",
      },
    );
  }
  if (!/^[A-Za-z0-9]{0,128}$/.test(state)) {
    const shown = state.length > 20 ? `${state.slice(0, 20)}…` : state;
    throw new InputError(
      `state ${JSON.stringify(shown)} is not allowed: letters and digits only, at most 128 of them`,
      { hint: "pass e.g. abc123, and keep other data in your own session", input: "state", example: "abc123" },
    );
  }
  let redirect: URL;
  try {
    redirect = new URL(options.redirectUri);
  } catch (cause) {
    throw new InputError(`redirect URI ${JSON.stringify(options.redirectUri)} is not an absolute URL`, {
      hint: "use the full address, e.g. http://example.com/index",
      cause,
    });
  }
  if (redirect.protocol !== "http:" && redirect.protocol !== "https:") {
    throw new InputError(`redirect URI must be http or https, not ${redirect.protocol}`, {
      hint: "use the full address, e.g. http://example.com/index",
    });
  }
  const warnings: string[] = [];
  if (options.callbackDomain !== undefined && !sameDomain(redirect, options.callbackDomain)) {
    warnings.push(
      `the redirect host ${redirect.host} differs from the callback domain ${options.callbackDomain}:` +
        " WeChat will show error 10003 (redirect_uri 域名与后台配置不一致)",
    );
  }
  if (options.redirectUri.includes("#")) {
    warnings.push(
      "the redirect URI has a # fragment: WeChat appends ?code=… after it, so the server never sees the code;" +
        " put the route in the path or query instead",
    );
  }
  const query = [
    `appid=${encodeURIComponent(options.appId)}`,
    `redirect_uri=${encodeURIComponent(options.redirectUri)}`,
    "response_type=code",
    `scope=${scope}`,
    `state=${state}`,
  ].join("&");
  const path = options.qrconnect ? "/connect/qrconnect" : "/connect/oauth2/authorize";
  return { url: `${(options.base ?? AUTHORIZE_BASE).replace(/\/+$/, "")}${path}?${query}#wechat_redirect`, warnings };
}

/** True when the URL's host is the configured callback domain (a domain may be given with or without a port). */
export function sameDomain(url: URL, callbackDomain: string): boolean {
  const domain = callbackDomain
    .trim()
    .toLowerCase()
    .replace(/^https?:\/\//, "")
    .replace(/\/.*$/, "");
  return domain.includes(":") ? url.host.toLowerCase() === domain : url.hostname.toLowerCase() === domain;
}
