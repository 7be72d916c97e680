import { CheckFailedError, InputError } from "../support/errors.js";
import { MissingSettingError } from "../config/settings.js";
import { redactSecrets } from "../support/redact.js";
import { OAuthApiError } from "./errors.js";

export const API_BASE = "https://api.weixin.qq.com";

/** `sns/oauth2/access_token` and `refresh_token` answers. */
export interface AccessToken {
  access_token: string;
  expires_in: number;
  refresh_token: string;
  openid: string;
  scope: string;
  unionid?: string;
  is_snapshotuser?: number;
}

/** `sns/userinfo` answer. */
export interface UserInfo {
  openid: string;
  nickname: string;
  sex: number;
  province: string;
  city: string;
  country: string;
  headimgurl: string;
  privilege: string[];
  unionid?: string;
}

/** `cgi-bin/token` answer: the account's own access token (not a user's). */
export interface ClientToken {
  access_token: string;
  expires_in: number;
}

/** `cgi-bin/ticket/getticket` answer. */
export interface Ticket {
  errcode: 0;
  errmsg: string;
  ticket: string;
  expires_in: number;
}

export interface OAuthClientOptions {
  appId: string;
  /** Needed for the code exchange and the account's access token. */
  appSecret?: string;
  apiBase?: string;
  timeoutMs?: number;
}

/**
 * A small client for the platform's API on Node's fetch (web authorisation, access token, JS-SDK ticket); errors
 * are typed.
 */
export class OAuthClient {
  private readonly base: string;
  /** The base as messages show it: without credentials. */
  private readonly shownBase: string;

  constructor(private readonly options: OAuthClientOptions) {
    this.base = (options.apiBase ?? API_BASE).replace(/\/+$/, "");
    this.shownBase = redactSecrets(this.base);
  }

  /** Exchanges the redirect's code for an access token (code → token, once). */
  exchangeCode(code: string): Promise<AccessToken> {
    return this.call("/sns/oauth2/access_token", {
      appid: this.options.appId,
      secret: this.requireSecret(),
      code,
      grant_type: "authorization_code",
    });
  }

  /** Renews an access token (no secret needed). */
  refresh(refreshToken: string): Promise<AccessToken> {
    return this.call("/sns/oauth2/refresh_token", {
      appid: this.options.appId,
      grant_type: "refresh_token",
      refresh_token: refreshToken,
    });
  }

  /** The user's profile (needs a snsapi_userinfo token). */
  userInfo(accessToken: string, openid: string, lang = "zh_CN"): Promise<UserInfo> {
    return this.call("/sns/userinfo", { access_token: accessToken, openid, lang });
  }

  /** Whether an access token is still valid for this openid. */
  async checkToken(accessToken: string, openid: string): Promise<{ errcode: 0; errmsg: string }> {
    return this.call("/sns/auth", { access_token: accessToken, openid });
  }

  /** The account's access token (`grant_type=client_credential`), which the cgi-bin APIs take. */
  clientToken(): Promise<ClientToken> {
    return this.call("/cgi-bin/token", {
      grant_type: "client_credential",
      appid: this.options.appId,
      secret: this.requireSecret(),
    });
  }

  /** A JS-SDK ticket (`type=jsapi`), for signing pages with `wx.config`. */
  jsapiTicket(accessToken: string): Promise<Ticket> {
    return this.call("/cgi-bin/ticket/getticket", { access_token: accessToken, type: "jsapi" });
  }

  private requireSecret(): string {
    if (this.options.appSecret === undefined || this.options.appSecret === "") {
      throw new MissingSettingError("appSecret");
    }
    return this.options.appSecret;
  }

  /** Refuses an API base fetch would not take, up front: fetch's own errors quote the whole URL, secret and all. */
  private checkBase(): void {
    const hint = 'set "apiBase" to e.g. https://api.weixin.qq.com or http://127.0.0.1:9000';
    let url: URL;
    try {
      url = new URL(this.base);
    } catch (cause) {
      throw new InputError(`the API base ${this.shownBase} is not a URL`, { hint, code: "BAD_API_BASE", cause });
    }
    if (url.protocol !== "http:" && url.protocol !== "https:")
      throw new InputError(`the API base ${this.shownBase} is not an http(s) URL`, { hint, code: "BAD_API_BASE" });
    if (url.username !== "" || url.password !== "") {
      throw new InputError(`the API base ${this.shownBase} holds a user name or password, which fetch refuses`, {
        hint: "remove the user:password@ part",
        code: "BAD_API_BASE",
      });
    }
  }

  private async call<T>(path: string, query: Record<string, string>): Promise<T> {
    this.checkBase();
    const url = `${this.base}${path}?${new URLSearchParams(query)}`;
    let text: string;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(this.options.timeoutMs ?? 5_000) });
      text = await response.text();
    } catch (cause) {
      const reason =
        (cause as Error).name === "TimeoutError"
          ? "no answer in time"
          : ((cause as { cause?: Error }).cause?.message ?? (cause as Error).message);
      // The reason may quote the request URL, whose query holds the app secret or a token.
      throw new CheckFailedError(
        `cannot reach the API at ${this.shownBase}: ${redactSecrets(reason, [this.options.appSecret])}`,
        { hint: "check the apiBase setting (for the mock: is `wxdev mock` running?)", code: "API_UNREACHABLE", cause },
      );
    }
    let json: Record<string, unknown>;
    try {
      json = JSON.parse(text) as Record<string, unknown>;
    } catch (cause) {
      throw new CheckFailedError(`the API at ${this.shownBase} did not answer JSON`, {
        hint: "check that apiBase points at the API, not a web page",
        code: "API_NOT_JSON",
        cause,
      });
    }
    if (typeof json.errcode === "number" && json.errcode !== 0)
      throw new OAuthApiError(json.errcode, String(json.errmsg ?? ""));
    return json as T;
  }
}
