/**
 * The mock's account-level API (protocol §8): `cgi-bin/token` (the account's access token, by app id
 * and secret) and `cgi-bin/ticket/getticket` (the JS-SDK ticket), with the platform's error codes.
 */
import { randomBytes } from "node:crypto";
import { ACCESS_TOKEN_LIFETIME_S, type OAuthStore } from "./store.js";

/** A JSON answer of the API: a result, or `{errcode, errmsg}`. */
export type ApiAnswer = { errcode?: number; errmsg?: string } & Record<string, unknown>;

const apiError = (errcode: number, errmsg: string): ApiAnswer => ({ errcode, errmsg });

/** Ticket types getticket issues: the JS-SDK's, and the card API's. */
const TICKET_TYPES = new Set(["jsapi", "wx_card"]);

/** The two routes, keyed as the mock's router keys them (`GET /path`). */
export function cgiBinRoutes(
  account: { appId: string; appSecret: string },
  store: OAuthStore,
): Record<string, (query: URLSearchParams) => ApiAnswer> {
  return {
    "GET /cgi-bin/token": (q) => {
      if (q.get("grant_type") !== "client_credential") return apiError(40002, "invalid grant_type");
      if (!q.get("appid")) return apiError(41002, "appid missing");
      if (q.get("appid") !== account.appId) return apiError(40013, "invalid appid");
      if (!q.get("secret")) return apiError(41004, "appsecret missing");
      if (q.get("secret") !== account.appSecret) return apiError(40125, "invalid appsecret");
      return { access_token: store.issueClientToken(), expires_in: ACCESS_TOKEN_LIFETIME_S };
    },
    "GET /cgi-bin/ticket/getticket": (q) => {
      const token = q.get("access_token");
      if (!token) return apiError(41001, "access_token missing");
      const found = store.clientToken(token);
      if (!found.ok)
        return found.reason === "expired"
          ? apiError(42001, "access_token expired")
          : apiError(40001, "invalid credential, access_token is invalid or not latest");
      if (!TICKET_TYPES.has(q.get("type") ?? "")) return apiError(40097, "invalid args");
      // Shaped like the platform's: 86 characters of base64url.
      const ticket = randomBytes(64).toString("base64url");
      return { errcode: 0, errmsg: "ok", ticket, expires_in: ACCESS_TOKEN_LIFETIME_S };
    },
  };
}
