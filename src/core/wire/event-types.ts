/**
 * One declaration per event (protocol §4 and §8), field names exactly as WeChat writes them.
 * Sources, cross-checked: the platform's own sample XML; wechatpy `wechatpy/events.py`; WxJava
 * `WxConsts.EventType` and `WxMpXmlMessage`; silenceper/wechat `officialaccount/message/message.go`
 * (SubscribeMsg…Event/List); Senparc `Publish_Event_Info.cs` (PublishEventInfo).
 */
import {
  type EventSpec,
  type FieldSpec,
  hex,
  LATITUDE,
  LONGITUDE,
  list,
  nested,
  num,
  numbers,
  type FieldOptions,
  text,
} from "./field-spec.js";
import { ACCOUNT_EVENTS } from "./account-events.js";
import { CARD_EVENTS } from "./card-events.js";

const eventKey = (sample?: string, options: FieldOptions = {}): FieldSpec =>
  text("EventKey", { sample, optional: sample === undefined, flag: "--key <key>", ...options });
const menuId = num("MenuId", { sample: "414813226", optional: true, integer: true, flag: "--menu-id <id>" });
/** The 64-bit id of the template or mass message a job sent (MsgID, not a message's MsgId). */
const jobMsgId = (sample: string): FieldSpec => num("MsgID", { sample, flag: "--msg-id <id>" });

const SCAN_CODE_INFO = nested("ScanCodeInfo", [
  text("ScanType", { sample: "qrcode", flag: "--scan-type <type>", flagHelp: "qrcode, barcode" }),
  text("ScanResult", { sample: "https://example.com/qr", flag: "--scan-result <text>" }),
]);
const SEND_PICS_INFO = nested("SendPicsInfo", [
  num("Count", { sample: "1", countOf: "PicList/item" }),
  nested("PicList", [list("item", [text("PicMd5Sum", { sample: hex(16), flag: "--pic-md5 <md5>" })])]),
]);
// The platform's sample writes every SendLocationInfo child as CDATA, numbers included.
const SEND_LOCATION_INFO = nested("SendLocationInfo", [
  text("Location_X", { sample: "39.915119", numeric: true, range: LATITUDE, flag: "--lat <latitude>" }),
  text("Location_Y", { sample: "116.403963", numeric: true, range: LONGITUDE, flag: "--lng <longitude>" }),
  text("Scale", { sample: "15", numeric: true, integer: true, flag: "--scale <scale>" }),
  text("Label", { sample: "天安门", flag: "--label <label>" }),
  text("Poiname", { sample: "", optional: true, flag: "--poiname <name>" }),
]);

const COPYRIGHT_CHECK_RESULT = nested("CopyrightCheckResult", [
  num("Count", { sample: "1", countOf: "ResultList/item" }),
  nested("ResultList", [
    list("item", [
      num("ArticleIdx", { sample: "1" }),
      num("UserDeclareState", { sample: "0" }),
      num("AuditState", { sample: "2" }),
      text("OriginalArticleUrl", { sample: "https://mp.weixin.qq.com/s/wxdev" }),
      num("OriginalArticleType", { sample: "1" }),
      num("CanReprint", { sample: "1" }),
      num("NeedReplaceContent", { sample: "1" }),
      num("NeedShowReprintSource", { sample: "1" }),
    ]),
  ]),
  num("CheckState", { sample: "2" }),
]);
const ARTICLE_URL_RESULT = nested(
  "ArticleUrlResult",
  [
    num("Count", { sample: "1", countOf: "ResultList/item" }),
    nested("ResultList", [
      list("item", [
        num("ArticleIdx", { sample: "1" }),
        text("ArticleUrl", { sample: "https://mp.weixin.qq.com/s/1" }),
      ]),
    ]),
  ],
  { optional: true },
);

const templateId = text("TemplateId", {
  sample: "VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc",
  flag: "--template-id <id>",
});
const subscribeStatus = text("SubscribeStatusString", {
  sample: "accept",
  flag: "--subscribe-status <status>",
  flagHelp: "accept, reject",
});
/** `<Name><List>…</List><List>…</List></Name>`: one List per template the user answered. */
const subscribeList = (name: string, children: FieldSpec[]): FieldSpec => nested(name, [list("List", children)]);

const PUBLISH_PAGE = "the platform's publishing page (freepublish: PUBLISHJOBFINISH)";
const PUBLISHED = { field: "publish_status", values: ["0"] } as const;

const PUBLISH_EVENT_INFO = nested("PublishEventInfo", [
  num("publish_id", { sample: "2247503051", flag: "--publish-id <id>" }),
  num("publish_status", {
    sample: "0",
    integer: true,
    range: [0, 6],
    flag: "--publish-status <n>",
    flagHelp: "0 published, 1 publishing, 2 originality check failed, 3 failed, 4 rejected, 5/6 deleted",
  }),
  text("article_id", {
    sample: "b5O2OUs25HBxRceL7hfReg-U9QGeq9zQjiDvyWP4Hq4",
    onlyWhen: PUBLISHED,
    source: PUBLISH_PAGE,
  }),
  nested(
    "article_detail",
    [
      num("count", { sample: "1", countOf: "item" }),
      list("item", [num("idx", { sample: "1" }), text("article_url", { sample: "https://mp.weixin.qq.com/s/wxdev" })]),
    ],
    { onlyWhen: PUBLISHED, source: PUBLISH_PAGE },
  ),
  numbers("fail_idx", {
    sample: "1",
    flag: "--fail-idx <n>",
    flagHelp: "a refused article's place, from 1",
    onlyWhen: { field: "publish_status", values: ["2", "4"] },
    source: PUBLISH_PAGE,
  }),
]);

const kfAccount = text("KfAccount", { sample: "kf2001@wxdev", flag: "--kf-account <account>" });

/** Inbound events: Event → declaration (besides the common fields and Event), in `wxdev check`'s order. */
export const EVENT_SPECS: Record<string, EventSpec> = {
  subscribe: {
    fields: [eventKey(), text("Ticket", { optional: true, flag: "--ticket <ticket>" })],
    summary: "EventKey",
    checked: true,
  },
  unsubscribe: { fields: [], checked: true },
  CLICK: { fields: [eventKey("V1001_TODAY")], summary: "EventKey", checked: true },
  VIEW: { fields: [eventKey("https://example.com/"), menuId], summary: "EventKey", checked: true },
  SCAN: {
    fields: [eventKey("123"), text("Ticket", { sample: hex(16), flag: "--ticket <ticket>" })],
    summary: "EventKey",
    checked: true,
  },
  LOCATION: {
    fields: [
      num("Latitude", { sample: "39.915119", flag: "--lat <latitude>", range: LATITUDE }),
      num("Longitude", { sample: "116.403963", flag: "--lng <longitude>", range: LONGITUDE }),
      num("Precision", { sample: "30.000000", flag: "--precision <metres>", range: [0, 1e6] }),
    ],
    checked: true,
  },
  scancode_push: { fields: [eventKey("scan"), SCAN_CODE_INFO], summary: "EventKey", checked: true },
  scancode_waitmsg: { fields: [eventKey("scan"), SCAN_CODE_INFO], summary: "EventKey", checked: true },
  pic_sysphoto: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey", checked: true },
  pic_photo_or_album: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey", checked: true },
  pic_weixin: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey", checked: true },
  location_select: { fields: [eventKey("where"), SEND_LOCATION_INFO], summary: "EventKey", checked: true },
  TEMPLATESENDJOBFINISH: {
    fields: [
      jobMsgId("200163836"),
      text("Status", {
        sample: "success",
        flag: "--status <status>",
        flagHelp: '"success", "failed:user block", "failed: system failed"',
      }),
    ],
    summary: "Status",
    checked: true,
    notification: true,
  },
  MASSSENDJOBFINISH: {
    fields: [
      jobMsgId("1000001625"),
      text("Status", {
        sample: "send success",
        flag: "--status <status>",
        flagHelp: '"send success", "err(30003)"…',
      }),
      num("TotalCount", { sample: "100" }),
      num("FilterCount", { sample: "80" }),
      num("SentCount", { sample: "75" }),
      num("ErrorCount", { sample: "5" }),
      COPYRIGHT_CHECK_RESULT,
      ARTICLE_URL_RESULT,
    ],
    summary: "Status",
    checked: true,
    notification: true,
  },
  PUBLISHJOBFINISH: { fields: [PUBLISH_EVENT_INFO], checked: true, notification: true },
  view_miniprogram: {
    fields: [eventKey("pages/index/index", { flagHelp: "the mini program page" }), menuId],
    summary: "EventKey",
    notification: true,
  },
  subscribe_msg_popup_event: {
    fields: [
      subscribeList("SubscribeMsgPopupEvent", [templateId, subscribeStatus, num("PopupScene", { sample: "2" })]),
    ],
    notification: true,
  },
  subscribe_msg_change_event: {
    fields: [subscribeList("SubscribeMsgChangeEvent", [templateId, { ...subscribeStatus, sample: "reject" }])],
    notification: true,
  },
  subscribe_msg_sent_event: {
    fields: [
      subscribeList("SubscribeMsgSentEvent", [
        templateId,
        num("MsgID", { sample: "1700827132819554304" }),
        num("ErrorCode", { sample: "0" }),
        text("ErrorStatus", { sample: "success" }),
      ]),
    ],
    notification: true,
  },
  kf_create_session: { fields: [kfAccount], summary: "KfAccount", notification: true },
  kf_close_session: { fields: [kfAccount], summary: "KfAccount", notification: true },
  kf_switch_session: {
    fields: [
      text("FromKfAccount", { sample: "kf2001@wxdev", flag: "--from-kf <account>" }),
      text("ToKfAccount", { sample: "kf2002@wxdev", flag: "--to-kf <account>" }),
    ],
    summary: "ToKfAccount",
    notification: true,
  },
  ...CARD_EVENTS,
  ...ACCOUNT_EVENTS,
};
