/**
 * One declaration per message, event and reply type (protocol §4), as wechatpy
 * declares them: each field once, with how it is written, whether it is
 * required, a realistic sample and the simulate flag that sets it. Builders,
 * the XML writer's numeric fields, summaries, simulate's flags and the
 * validator derive from these tables (see message-tables.ts), so a new event is
 * one more entry in event-types.ts (re-exported here).
 */
import { type FieldSpec, LATITUDE, LONGITUDE, list, type MessageSpec, mediaId, num, text } from "./field-spec.js";

export type { EventSpec, FieldSpec, MessageSpec } from "./field-spec.js";
export { EVENT_SPECS } from "./event-types.js";

/** Fields every message and reply carries. */
export const COMMON_SPEC: FieldSpec[] = [text("ToUserName"), text("FromUserName"), num("CreateTime"), text("MsgType")];
/** Their names. */
export const COMMON_FIELDS: readonly string[] = COMMON_SPEC.map((spec) => spec.name);
/** The 64-bit id of a user message (events have none). */
export const MSG_ID_SPEC: FieldSpec = num("MsgId");
/** The safe-mode envelope (protocol §3). */
export const ENVELOPE_SPEC: FieldSpec[] = [text("Encrypt"), text("MsgSignature"), num("TimeStamp"), text("Nonce")];

const MEDIA_ID = text("MediaId", { sample: mediaId, flag: "--media-id <id>" });
const THUMB_MEDIA_ID = text("ThumbMediaId", { sample: mediaId, flag: "--thumb-media-id <id>" });
const RECEIVING_PAGE = "the platform's receiving-messages page (Receiving_standard_messages)";
/** Sent with a message written from an article's comment area: every type's sample on the receiving page. */
const FROM_ARTICLE: FieldSpec[] = [
  num("MsgDataId", {
    optional: true,
    integer: true,
    flag: "--msg-data-id <id>",
    flagHelp: "the article's id",
    source: RECEIVING_PAGE,
  }),
  num("Idx", {
    optional: true,
    integer: true,
    flag: "--idx <n>",
    flagHelp: "the article's place, from 1",
    source: RECEIVING_PAGE,
  }),
];
/** The menu id a user tapped in a msgmenu customer-service message; the tap comes back as a text message. */
const BIZ_MSG_MENU_ID = text("bizmsgmenuid", {
  optional: true,
  flag: "--biz-msg-menu-id <id>",
  flagHelp: "the msgmenu item tapped",
  source: "the customer-service message page (msgmenu); WxJava WxMpXmlMessage.bizMsgMenuId",
});

/** Inbound user messages: MsgType → declaration (besides the common fields and MsgId). */
export const MESSAGE_SPECS: Record<string, MessageSpec> = {
  text: {
    fields: [text("Content", { sample: "hello", fromArguments: true }), ...FROM_ARTICLE, BIZ_MSG_MENU_ID],
    summary: "Content",
  },
  image: {
    fields: [
      text("PicUrl", { sample: "http://mmbiz.qpic.cn/mmbiz_jpg/wxdev/0", flag: "--pic-url <url>" }),
      MEDIA_ID,
      ...FROM_ARTICLE,
    ],
    summary: "PicUrl",
  },
  voice: {
    fields: [
      MEDIA_ID,
      text("Format", { sample: "amr", flag: "--format <format>", flagHelp: "amr, speex" }),
      text("Recognition", { optional: true, flag: "--recognition <text>", flagHelp: "speech-to-text result" }),
      ...FROM_ARTICLE,
    ],
    summary: "MediaId",
  },
  video: { fields: [MEDIA_ID, THUMB_MEDIA_ID, ...FROM_ARTICLE], summary: "MediaId" },
  shortvideo: { fields: [MEDIA_ID, THUMB_MEDIA_ID, ...FROM_ARTICLE], summary: "MediaId" },
  location: {
    fields: [
      num("Location_X", { sample: "39.915119", flag: "--lat <latitude>", range: LATITUDE }),
      num("Location_Y", { sample: "116.403963", flag: "--lng <longitude>", range: LONGITUDE }),
      num("Scale", { sample: "16", flag: "--scale <scale>", integer: true }),
      text("Label", { sample: "北京市东城区天安门广场", flag: "--label <label>" }),
      ...FROM_ARTICLE,
    ],
    summary: "Label",
  },
  link: {
    fields: [
      text("Title", { sample: "wxdev", flag: "--title <title>" }),
      text("Description", { sample: "a link sent from wxdev", flag: "--description <text>" }),
      text("Url", { sample: "https://example.com/", flag: "--link-url <url>" }),
      ...FROM_ARTICLE,
    ],
    summary: "Title",
  },
};

/** A passive reply type: its top-level fields and, for wrapped types, the wrapper's children. */
export interface ReplySpec {
  fields: FieldSpec[];
  wrapper?: { name: string; required: boolean; fields: FieldSpec[] };
  /** The field, as a path, that says what the reply is about; `summaryUnit` follows its value. */
  summary?: string;
  summaryUnit?: string;
}

/** Fields of one news article. */
export const ARTICLE_FIELDS: FieldSpec[] = [
  text("Title"),
  text("Description", { optional: true }),
  text("PicUrl", { optional: true }),
  text("Url", { optional: true }),
];

const wrapper = (name: string, fields: FieldSpec[], required = true) => ({ name, required, fields });

/** Passive replies: MsgType → shape (protocol §4, "Passive replies"). */
export const REPLY_TYPES: Record<string, ReplySpec> = {
  text: { fields: [text("Content")], summary: "Content" },
  image: { fields: [], wrapper: wrapper("Image", [text("MediaId")]), summary: "Image/MediaId" },
  voice: { fields: [], wrapper: wrapper("Voice", [text("MediaId")]), summary: "Voice/MediaId" },
  video: {
    fields: [],
    wrapper: wrapper("Video", [
      text("MediaId"),
      text("Title", { optional: true }),
      text("Description", { optional: true }),
    ]),
    summary: "Video/Title",
  },
  music: {
    fields: [],
    wrapper: wrapper("Music", [
      text("ThumbMediaId", {
        whenMissing:
          "WeChat's client drops a music reply without it (required on the passive-reply page;" +
          " node-webot leaves it optional)",
      }),
      ...["Title", "Description", "MusicUrl", "HQMusicUrl"].map((name) => text(name, { optional: true })),
    ]),
    summary: "Music/Title",
  },
  news: {
    fields: [num("ArticleCount")],
    wrapper: wrapper("Articles", [list("item", ARTICLE_FIELDS)]),
    summary: "ArticleCount",
    summaryUnit: "article(s)",
  },
  transfer_customer_service: {
    fields: [],
    wrapper: wrapper("TransInfo", [text("KfAccount", { optional: true })], false),
  },
};

/** The page the reply rules come from, named in every warning that cites it. */
export const PASSIVE_REPLY_PAGE = "the passive-reply page (Passive_user_reply_message)";
/** Most articles a news reply may carry, and most when answering one of ONE_ARTICLE_FOR (the passive-reply page). */
export const MAX_ARTICLES = 8;
export const MAX_ARTICLES_FOR_USER_MESSAGE = 1;
/** Developers report text replies beyond this many bytes of UTF-8 cut or refused (protocol §8), no page states it. */
export const MAX_TEXT_REPLY_BYTES = 2047;
/** What the client shows the follower when WeChat drops an answer (no answer in time, an error, bad XML). */
export const FAILURE_NOTICE = "该公众号提供的服务出现故障，请稍后再试";
/**
 * The user messages a news reply may answer with one article only: the six the passive-reply page lists
 * (文本、图片、语音、视频、图文、地理位置). A shortvideo or link is answered like an event,
 * with up to 8.
 */
export const ONE_ARTICLE_FOR: readonly string[] = ["text", "image", "voice", "video", "news", "location"];
