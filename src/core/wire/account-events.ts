/**
 * Events about the account itself, one declaration each: WeChat verification (微信认证) and a user's change
 * or withdrawal of the information they authorised. Sources: the platform's verification event page
 * (mp1455785130), wechatpy `wechatpy/events.py`, WxJava `WxConsts.EventType` / `WxMpXmlMessage`.
 */
import { type EventSpec, type FieldSpec, num, text } from "./field-spec.js";

const VERIFY_SOURCE = "the platform's verification event page (mp1455785130); wechatpy events.py; WxJava";
const USER_INFO_SOURCE =
  "the platform's user information authorisation page; WxJava WxConsts.EventType (USER_INFO_MODIFIED," +
  " USER_AUTHORIZATION_REVOKE), WxMpXmlMessage openId/appId/revokeInfo";

const expiredTime = num("ExpiredTime", {
  sample: "1800000000",
  flag: "--expired-time <seconds>",
  flagHelp: "when the verification expires",
});
const failure: FieldSpec[] = [
  num("FailTime", { sample: "1700000000", flag: "--fail-time <seconds>" }),
  text("FailReason", { sample: "the documents are unclear", flag: "--reason <text>" }),
];
const expires = (): EventSpec => ({ fields: [expiredTime], notification: true, source: VERIFY_SOURCE });
const fails = (): EventSpec => ({ fields: failure, summary: "FailReason", notification: true, source: VERIFY_SOURCE });

const openId = text("OpenID", { sample: "oWxdevUser000000000000000001", flag: "--open-id <openid>" });
const appId = text("AppID", { sample: "wx0a1b2c3d4e5f6a7b" });

/** Account events: Event → declaration. All are notifications: nobody reads a reply. */
export const ACCOUNT_EVENTS: Record<string, EventSpec> = {
  qualification_verify_success: expires(),
  qualification_verify_fail: fails(),
  naming_verify_success: expires(),
  naming_verify_fail: fails(),
  annual_renew: expires(),
  verify_expired: expires(),
  user_info_modified: { fields: [openId, appId], summary: "OpenID", notification: true, source: USER_INFO_SOURCE },
  user_authorization_revoke: {
    fields: [
      openId,
      appId,
      text("RevokeInfo", { sample: "301", flag: "--revoke-info <what>", flagHelp: "what was withdrawn, e.g. 301" }),
    ],
    summary: "OpenID",
    notification: true,
    source: USER_INFO_SOURCE,
  },
};
