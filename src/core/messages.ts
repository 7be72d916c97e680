import { InputError } from "./errors.js";
import { randomBytesPooled as randomBytes } from "./random.js";
import { canonicalEvent, EVENT_FIELDS, MESSAGE_FIELDS } from "./message-types.js";
import { makeTimestamp } from "./signature.js";
import type { XmlRecord, XmlValue } from "./xml.js";

/** Who sends, who receives, and when: the parts WeChat fills in on every message. */
export interface MessageHeader {
  /** The account's gh_ id. */
  toUserName?: string;
  /** The user's openid. */
  fromUserName?: string;
  /** Seconds since the epoch. */
  createTime?: string;
  /** 64-bit message id (messages only; events have none). */
  msgId?: string;
}

const OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** An openid-like user id: 28 characters starting with `o`, as WeChat issues them. */
export function randomOpenId(): string {
  let id = "o";
  for (const byte of randomBytes(27)) id += OPENID_ALPHABET[byte % 64];
  return id;
}

/** A `gh_` account id like the platform's original ids. */
export function randomAccountId(): string {
  return `gh_${randomBytes(6).toString("hex")}`;
}

/** A 19-digit, 64-bit message id as a string (it would lose digits as a JS number). */
export function randomMsgId(): string {
  // 6…8 then 18 random digits, in [6e18, 9e18): below 2^63, without BigInt arithmetic.
  const bytes = randomBytes(12);
  const digits = (offset: number): string => String(bytes.readUInt32BE(offset) % 1_000_000_000).padStart(9, "0");
  return `${6 + (bytes.readUInt8(0) % 3)}${digits(4)}${digits(8)}`;
}

const SAMPLE_MEDIA_ID = (): string => randomBytes(24).toString("base64url");

/** Realistic default fields for each message type. */
const MESSAGE_DEFAULTS: Record<string, () => XmlRecord> = {
  text: () => ({ Content: "hello" }),
  image: () => ({ PicUrl: "http://mmbiz.qpic.cn/mmbiz_jpg/wxdev/0", MediaId: SAMPLE_MEDIA_ID() }),
  voice: () => ({ MediaId: SAMPLE_MEDIA_ID(), Format: "amr" }),
  video: () => ({ MediaId: SAMPLE_MEDIA_ID(), ThumbMediaId: SAMPLE_MEDIA_ID() }),
  shortvideo: () => ({ MediaId: SAMPLE_MEDIA_ID(), ThumbMediaId: SAMPLE_MEDIA_ID() }),
  location: () => ({
    Location_X: "39.915119",
    Location_Y: "116.403963",
    Scale: "16",
    Label: "北京市东城区天安门广场",
  }),
  link: () => ({ Title: "wxdev", Description: "a link sent from wxdev", Url: "https://example.com/" }),
};

const SCAN_CODE = (): XmlRecord => ({ ScanType: "qrcode", ScanResult: "https://example.com/qr" });
const SEND_PICS = (): XmlRecord => ({
  Count: "1",
  PicList: { item: [{ PicMd5Sum: randomBytes(16).toString("hex") }] },
});

/** Realistic default fields for each event. */
const EVENT_DEFAULTS: Record<string, () => XmlRecord> = {
  subscribe: () => ({}),
  unsubscribe: () => ({}),
  SCAN: () => ({ EventKey: "123", Ticket: randomBytes(16).toString("hex") }),
  LOCATION: () => ({ Latitude: "39.915119", Longitude: "116.403963", Precision: "30.000000" }),
  CLICK: () => ({ EventKey: "V1001_TODAY" }),
  VIEW: () => ({ EventKey: "https://example.com/" }),
  scancode_push: () => ({ EventKey: "scan", ScanCodeInfo: SCAN_CODE() }),
  scancode_waitmsg: () => ({ EventKey: "scan", ScanCodeInfo: SCAN_CODE() }),
  pic_sysphoto: () => ({ EventKey: "photo", SendPicsInfo: SEND_PICS() }),
  pic_photo_or_album: () => ({ EventKey: "photo", SendPicsInfo: SEND_PICS() }),
  pic_weixin: () => ({ EventKey: "photo", SendPicsInfo: SEND_PICS() }),
  location_select: () => ({
    EventKey: "where",
    SendLocationInfo: {
      Location_X: "39.915119",
      Location_Y: "116.403963",
      Scale: "15",
      Label: "天安门",
      Poiname: "",
    },
  }),
};

/** The message types `buildMessage` knows. */
export const MESSAGE_TYPES = Object.keys(MESSAGE_FIELDS);
/** The events `buildEvent` knows (canonical spelling). */
export const EVENT_TYPES = Object.keys(EVENT_FIELDS);

function makeHeader(header: MessageHeader, msgType: string): XmlRecord {
  return {
    ToUserName: header.toUserName ?? randomAccountId(),
    FromUserName: header.fromUserName ?? randomOpenId(),
    CreateTime: header.createTime ?? makeTimestamp(),
    MsgType: msgType,
  };
}

/** Drops undefined overrides so they do not erase defaults. */
function defined(fields: Record<string, XmlValue | undefined>): XmlRecord {
  const record: XmlRecord = {};
  for (const key in fields) {
    const value = fields[key];
    if (value !== undefined) record[key] = value;
  }
  return record;
}

/** Builds a user message of `type` (text, image, …) as WeChat sends it; `fields` override the defaults. */
export function buildMessage(
  type: string,
  fields: Record<string, XmlValue | undefined> = {},
  header: MessageHeader = {},
): XmlRecord {
  const defaults = Object.hasOwn(MESSAGE_DEFAULTS, type) ? MESSAGE_DEFAULTS[type] : undefined;
  if (defaults === undefined) {
    throw new InputError(`unknown message type ${JSON.stringify(type)}`, `use one of: ${MESSAGE_TYPES.join(", ")}`);
  }
  const message = Object.assign(makeHeader(header, type), defaults(), defined(fields));
  message.MsgId = header.msgId ?? randomMsgId();
  return message;
}

/** Builds an event (subscribe, SCAN, CLICK, …; any case) as WeChat sends it. */
export function buildEvent(
  event: string,
  fields: Record<string, XmlValue | undefined> = {},
  header: MessageHeader = {},
): XmlRecord {
  const name = canonicalEvent(event);
  if (name === undefined) {
    throw new InputError(`unknown event ${JSON.stringify(event)}`, `use one of: ${EVENT_TYPES.join(", ")}`);
  }
  return { ...makeHeader(header, "event"), Event: name, ...EVENT_DEFAULTS[name]?.(), ...defined(fields) };
}

/** Builds a passive reply to `request`: To/From swapped, CreateTime now. */
export function buildReply(
  request: XmlRecord,
  msgType: string,
  fields: XmlRecord,
  now: number = Date.now(),
): XmlRecord {
  return {
    ToUserName: String(request.FromUserName ?? ""),
    FromUserName: String(request.ToUserName ?? ""),
    CreateTime: makeTimestamp(now),
    MsgType: msgType,
    ...fields,
  };
}

/** A text reply to `request`. */
export function textReply(request: XmlRecord, content: string, now?: number): XmlRecord {
  return buildReply(request, "text", { Content: content }, now);
}

/** The key WeChat retries under: sender + MsgId for messages, sender + time (+ event) for events. */
export function dedupKey(message: XmlRecord): string {
  // The sender too: a reused MsgId from someone else must not get the first sender's reply.
  if (typeof message.MsgId === "string" && message.MsgId !== "")
    return `msg:${String(message.FromUserName ?? "")}:${message.MsgId}`;
  return ["event", message.FromUserName, message.CreateTime, message.Event, message.EventKey ?? ""]
    .map(String)
    .join(":");
}
