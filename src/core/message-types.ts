/**
 * One declaration per message, event and reply type (protocol §4): which
 * fields each carries and whether they are required. Builders, parsers and the
 * validator derive from these tables.
 */

/** A field of a message; `nested` fields live inside a child element (e.g. Image/MediaId). */
export interface FieldSpec {
  name: string;
  required: boolean;
}

const req = (...names: string[]): FieldSpec[] => names.map((name) => ({ name, required: true }));
const opt = (...names: string[]): FieldSpec[] => names.map((name) => ({ name, required: false }));

/** Fields every message and reply carries. */
export const COMMON_FIELDS = ["ToUserName", "FromUserName", "CreateTime", "MsgType"] as const;

/** Inbound user messages: MsgType → its own fields (besides the common ones and MsgId). */
export const MESSAGE_FIELDS: Record<string, FieldSpec[]> = {
  text: [...req("Content"), ...opt("MsgDataId", "Idx")],
  image: req("PicUrl", "MediaId"),
  voice: [...req("MediaId", "Format"), ...opt("Recognition")],
  video: req("MediaId", "ThumbMediaId"),
  shortvideo: req("MediaId", "ThumbMediaId"),
  location: req("Location_X", "Location_Y", "Scale", "Label"),
  link: req("Title", "Description", "Url"),
};

/** Inbound events: Event → its own fields (besides Event itself). */
export const EVENT_FIELDS: Record<string, FieldSpec[]> = {
  subscribe: opt("EventKey", "Ticket"),
  unsubscribe: [],
  SCAN: req("EventKey", "Ticket"),
  LOCATION: req("Latitude", "Longitude", "Precision"),
  CLICK: req("EventKey"),
  VIEW: [...req("EventKey"), ...opt("MenuId")],
  scancode_push: req("EventKey", "ScanCodeInfo"),
  scancode_waitmsg: req("EventKey", "ScanCodeInfo"),
  pic_sysphoto: req("EventKey", "SendPicsInfo"),
  pic_photo_or_album: req("EventKey", "SendPicsInfo"),
  pic_weixin: req("EventKey", "SendPicsInfo"),
  location_select: req("EventKey", "SendLocationInfo"),
};

/** A passive reply type: its top-level fields and, for wrapped types, the wrapper's children. */
export interface ReplySpec {
  fields: FieldSpec[];
  wrapper?: { name: string; required: boolean; fields: FieldSpec[] };
}

/** Passive replies: MsgType → shape (protocol §4, "Passive replies"). */
export const REPLY_TYPES: Record<string, ReplySpec> = {
  text: { fields: req("Content") },
  image: { fields: [], wrapper: { name: "Image", required: true, fields: req("MediaId") } },
  voice: { fields: [], wrapper: { name: "Voice", required: true, fields: req("MediaId") } },
  video: {
    fields: [],
    wrapper: { name: "Video", required: true, fields: [...req("MediaId"), ...opt("Title", "Description")] },
  },
  music: {
    fields: [],
    wrapper: {
      name: "Music",
      required: true,
      fields: [...req("ThumbMediaId"), ...opt("Title", "Description", "MusicUrl", "HQMusicUrl")],
    },
  },
  news: {
    fields: req("ArticleCount"),
    wrapper: { name: "Articles", required: true, fields: req("item") },
  },
  transfer_customer_service: { fields: [], wrapper: { name: "TransInfo", required: false, fields: opt("KfAccount") } },
};

/** Fields of one news article. */
export const ARTICLE_FIELDS: FieldSpec[] = [...req("Title"), ...opt("Description", "PicUrl", "Url")];

/** Most articles a news reply may carry, and most when answering a user message. */
export const MAX_ARTICLES = 8;
export const MAX_ARTICLES_FOR_USER_MESSAGE = 1;

/** Canonical event names, looked up case-insensitively (users type `scan`, WeChat sends `SCAN`). */
export function canonicalEvent(name: string): string | undefined {
  const lower = name.toLowerCase();
  return Object.keys(EVENT_FIELDS).find((event) => event.toLowerCase() === lower);
}
