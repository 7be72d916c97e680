import { WxdevError } from "../support/errors.js";

/** One-line explanations of the error codes students meet most (protocol §5). */
export const OAUTH_ERRORS: Record<number, string> = {
  40001:
    "access_token is invalid: use the latest one for this appId (a user's token from the code exchange" +
    " is not the account's token from cgi-bin/token)",
  40002:
    "grant_type is wrong: authorization_code for the exchange, refresh_token for a refresh," +
    " client_credential for cgi-bin/token",
  40013: "invalid appid: check the appId setting against the platform (测试号 appID)",
  40014: "access_token is invalid: use the one this code exchange returned, for this appId",
  40029: "invalid code: pass the code from the redirect exactly, for the same appId",
  40030: "invalid refresh_token: use the latest refresh_token (it lives 30 days)",
  40125: "invalid appsecret: check the appSecret setting (reset it on the platform if unsure)",
  40163: "code been used: a code works once; a page reload reuses it — send the user through the authorize URL again",
  40097: "invalid args: getticket takes type=jsapi (or wx_card)",
  41001: "access_token is missing",
  41002: "appid is missing",
  41004: "appsecret is missing: set the appSecret setting (WXDEV_APP_SECRET)",
  41008: "missing code: the redirect had no ?code= (did the user deny, or is the redirect URI wrong?)",
  42001: "access_token expired (2 hours): get a new one (a user's: refresh it with the refresh_token)",
  42003: "code expired: a code lives 5 minutes; exchange it as soon as the redirect arrives",
  45009: "API rate limit reached: slow down, and cache access tokens instead of fetching per request",
  48001: "api unauthorized: the token came from snsapi_base; user info needs scope snsapi_userinfo",
  10003: "redirect_uri domain differs from the 授权回调页面域名 configured on the platform",
  10005: "this account has no permission for that scope (use a service account or the test account)",
  10006: "the user must follow the test account first",
  10010: "scope is empty",
  10011: "redirect_uri is empty",
  10012: "appid is empty",
  10013: "state is missing",
};

/** An error answer from the OAuth API: `{errcode, errmsg}` plus what it usually means. */
export class OAuthApiError extends WxdevError {
  readonly errcode: number;
  readonly errmsg: string;
  readonly explanation?: string;

  constructor(errcode: number, errmsg: string) {
    const explanation = OAUTH_ERRORS[errcode];
    super(`the API answered errcode ${errcode} (${errmsg})`, {
      code: `OAUTH_${errcode}`,
      hint: explanation,
      kind: "check",
    });
    this.errcode = errcode;
    this.errmsg = errmsg;
    this.explanation = explanation;
  }
}
