/**
 * One declaration per message, event and reply type (protocol §4), as wechatpy
 * declares them: each field once, with how it is written, whether it is
 * required, a realistic sample and the simulate flag that sets it. Builders,
 * the XML writer's numeric fields, summaries, simulate's flags and the
 * validator derive from these tables (see message-tables.ts), so a new event is
 * one more entry here.
 */
import { randomBytesPooled as randomBytes } from "./random.js";

/** A field of a message, event or reply. */
export interface FieldSpec {
  name: string;
  required: boolean;
  /** Written as a bare number, not CDATA. */
  number: boolean;
  /** A realistic value for built messages; a function when each message needs its own. */
  sample?: string | (() => string);
  /** The `wxdev simulate` flag that sets it, with its value placeholder (`--lat <latitude>`). */
  flag?: string;
  /** What the flag's help adds after the field name, e.g. the accepted values. */
  flagHelp?: string;
  /** Set from the words after the type (`wxdev simulate text hello`) instead of a flag. */
  fromArguments?: boolean;
  /** Child elements, for a field that nests (ScanCodeInfo, SendPicsInfo/PicList/item). */
  children?: FieldSpec[];
  /** The element repeats (`item`): its value is a list of records. */
  repeated?: boolean;
}

/** A user message or event: its own fields (besides the common ones) and what sums it up. */
export interface MessageSpec {
  fields: FieldSpec[];
  /** The field, as a path (`Image/MediaId`), that says what it is about in one-line summaries. */
  summary?: string;
}

/** An event: a message spec, and whether `wxdev check` expects every server to answer it. */
export interface EventSpec extends MessageSpec {
  checked?: boolean;
}

type FieldOptions = Partial<Omit<FieldSpec, "name" | "required" | "number">> & { optional?: boolean };

function field(name: string, number: boolean, { optional, ...options }: FieldOptions): FieldSpec {
  return { name, required: optional !== true, number, ...options };
}
/** A text field, written as CDATA. */
const text = (name: string, options: FieldOptions = {}): FieldSpec => field(name, false, options);
/** A field WeChat writes as a bare number. */
const num = (name: string, options: FieldOptions = {}): FieldSpec => field(name, true, options);
/** An element holding child elements. */
const nested = (name: string, children: FieldSpec[], options: FieldOptions = {}): FieldSpec =>
  field(name, false, { ...options, children });
/** A repeated element (`<item>`), each holding `children`. */
const list = (name: string, children: FieldSpec[]): FieldSpec => field(name, false, { children, repeated: true });

const mediaId = (): string => randomBytes(24).toString("base64url");
const hex = (bytes: number) => (): string => randomBytes(bytes).toString("hex");

/** Fields every message and reply carries. */
export const COMMON_SPEC: FieldSpec[] = [text("ToUserName"), text("FromUserName"), num("CreateTime"), text("MsgType")];
/** Their names. */
export const COMMON_FIELDS: readonly string[] = COMMON_SPEC.map((spec) => spec.name);
/** The 64-bit id of a user message (events have none). */
export const MSG_ID_SPEC: FieldSpec = num("MsgId");
/** The safe-mode envelope (protocol §3). */
export const ENVELOPE_SPEC: FieldSpec[] = [text("Encrypt"), text("MsgSignature"), num("TimeStamp"), text("Nonce")];

const MEDIA_ID = text("MediaId", { sample: mediaId, flag: "--media-id <id>" });

/** Inbound user messages: MsgType → declaration (besides the common fields and MsgId). */
export const MESSAGE_SPECS: Record<string, MessageSpec> = {
  text: {
    fields: [
      text("Content", { sample: "hello", fromArguments: true }),
      num("MsgDataId", { optional: true }),
      num("Idx", { optional: true }),
    ],
    summary: "Content",
  },
  image: {
    fields: [text("PicUrl", { sample: "http://mmbiz.qpic.cn/mmbiz_jpg/wxdev/0", flag: "--pic-url <url>" }), MEDIA_ID],
    summary: "PicUrl",
  },
  voice: {
    fields: [
      MEDIA_ID,
      text("Format", { sample: "amr", flag: "--format <format>", flagHelp: "amr, speex" }),
      text("Recognition", { optional: true, flag: "--recognition <text>", flagHelp: "speech-to-text result" }),
    ],
    summary: "MediaId",
  },
  video: { fields: [MEDIA_ID, text("ThumbMediaId", { sample: mediaId })], summary: "MediaId" },
  shortvideo: { fields: [MEDIA_ID, text("ThumbMediaId", { sample: mediaId })], summary: "MediaId" },
  location: {
    fields: [
      num("Location_X", { sample: "39.915119", flag: "--lat <latitude>" }),
      num("Location_Y", { sample: "116.403963", flag: "--lng <longitude>" }),
      num("Scale", { sample: "16", flag: "--scale <scale>" }),
      text("Label", { sample: "北京市东城区天安门广场", flag: "--label <label>" }),
    ],
    summary: "Label",
  },
  link: {
    fields: [
      text("Title", { sample: "wxdev", flag: "--title <title>" }),
      text("Description", { sample: "a link sent from wxdev", flag: "--description <text>" }),
      text("Url", { sample: "https://example.com/", flag: "--link-url <url>" }),
    ],
    summary: "Title",
  },
};

const eventKey = (sample?: string): FieldSpec =>
  text("EventKey", { sample, optional: sample === undefined, flag: "--key <key>" });
const SCAN_CODE_INFO = nested("ScanCodeInfo", [
  text("ScanType", { sample: "qrcode" }),
  text("ScanResult", { sample: "https://example.com/qr" }),
]);
const SEND_PICS_INFO = nested("SendPicsInfo", [
  num("Count", { sample: "1" }),
  nested("PicList", [list("item", [text("PicMd5Sum", { sample: hex(16) })])]),
]);

/** Inbound events: Event → declaration (besides the common fields and Event), in `wxdev check`'s order. */
export const EVENT_SPECS: Record<string, EventSpec> = {
  subscribe: {
    fields: [eventKey(), text("Ticket", { optional: true, flag: "--ticket <ticket>" })],
    summary: "EventKey",
    checked: true,
  },
  unsubscribe: { fields: [], checked: true },
  CLICK: { fields: [eventKey("V1001_TODAY")], summary: "EventKey", checked: true },
  VIEW: {
    fields: [eventKey("https://example.com/"), num("MenuId", { optional: true })],
    summary: "EventKey",
    checked: true,
  },
  SCAN: {
    fields: [eventKey("123"), text("Ticket", { sample: hex(16), flag: "--ticket <ticket>" })],
    summary: "EventKey",
    checked: true,
  },
  LOCATION: {
    fields: [
      num("Latitude", { sample: "39.915119", flag: "--lat <latitude>" }),
      num("Longitude", { sample: "116.403963", flag: "--lng <longitude>" }),
      num("Precision", { sample: "30.000000" }),
    ],
    checked: true,
  },
  scancode_push: { fields: [eventKey("scan"), SCAN_CODE_INFO], summary: "EventKey" },
  scancode_waitmsg: { fields: [eventKey("scan"), SCAN_CODE_INFO], summary: "EventKey" },
  pic_sysphoto: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey" },
  pic_photo_or_album: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey" },
  pic_weixin: { fields: [eventKey("photo"), SEND_PICS_INFO], summary: "EventKey" },
  location_select: {
    fields: [
      eventKey("where"),
      nested("SendLocationInfo", [
        num("Location_X", { sample: "39.915119" }),
        num("Location_Y", { sample: "116.403963" }),
        num("Scale", { sample: "15" }),
        text("Label", { sample: "天安门" }),
        text("Poiname", { sample: "", optional: true }),
      ]),
    ],
    summary: "EventKey",
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
      text("ThumbMediaId"),
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

/** Most articles a news reply may carry, and most when answering a user message. */
export const MAX_ARTICLES = 8;
export const MAX_ARTICLES_FOR_USER_MESSAGE = 1;
