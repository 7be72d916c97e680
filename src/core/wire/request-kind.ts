import { messageSummary } from "./message-tables.js";
import { parseXml, type XmlRecord } from "./xml.js";

/** A message's kind as wxdev's logs name it: its MsgType, or `event:<Event>` for events. */
export function messageKind(message: XmlRecord): string {
  const type = typeof message.MsgType === "string" ? message.MsgType : undefined;
  // Matched in any case, as the echo bot matches it.
  if (type?.toLowerCase() === "event") return `event:${String(message.Event ?? "?")}`;
  return type ?? "no MsgType";
}

/**
 * The largest body whose kind is read (serve's own cap): WeChat's are a few KiB, and anyone who can reach the
 * tunnel's port sends bodies unsigned, read before any app has judged them.
 */
export const KIND_MAX_BYTES = 64 * 1024;

/** What a request to a WeChat callback is, as an exchange's record tells it. */
export interface RequestDescription {
  kind?: string;
  encrypted?: boolean;
  openid?: string;
  content?: string;
}

/**
 * What a request to a WeChat callback is, from its method, query and body, without judging it: "handshake" (the
 * GET with echostr), a message's kind (a plaintext one's sender and content too), "encrypted" (a safe-mode body,
 * unreadable without the key: `decrypt` opens it for its kind when given), "large body" (a POST over
 * KIND_MAX_BYTES: not read), or no kind for anything else (a page, a stray request).
 */
export function describeRequest(
  method: string,
  query: URLSearchParams,
  body: string | Buffer,
  decrypt?: (encrypted: string) => string,
): RequestDescription {
  if (method === "GET") return query.has("echostr") ? { kind: "handshake" } : {};
  if (method !== "POST") return {};
  if (body.length > KIND_MAX_BYTES) return { kind: "large body" };
  const text = typeof body === "string" ? body : body.toString("utf8");
  if (!text.trimStart().startsWith("<")) return {};
  let message: XmlRecord;
  try {
    message = parseXml(text);
  } catch {
    return { kind: "not XML" };
  }
  const root = (typeof message.xml === "object" && !Array.isArray(message.xml) ? message.xml : message) as XmlRecord;
  if (root.MsgType === undefined && typeof root.Encrypt === "string") {
    if (decrypt === undefined) return { kind: "encrypted", encrypted: true };
    try {
      // The kind only: what an encrypted message says stays out of the log (the inspector opens it on request).
      return { kind: messageKind(parseXml(decrypt(root.Encrypt))), encrypted: true };
    } catch {
      return { kind: "encrypted (not with this EncodingAESKey)", encrypted: true };
    }
  }
  return described(root);
}

function described(message: XmlRecord): RequestDescription {
  const from = message.FromUserName;
  const content = messageSummary(message);
  return {
    kind: messageKind(message),
    ...(typeof from === "string" ? { openid: from } : {}),
    ...(content === undefined ? {} : { content }),
  };
}

/** describeRequest's kind alone, with 🔒 after an opened safe-mode message's. */
export function requestKind(
  method: string,
  query: URLSearchParams,
  body: string | Buffer,
  decrypt?: (encrypted: string) => string,
): string | undefined {
  const { kind, encrypted } = describeRequest(method, query, body, decrypt);
  return encrypted && kind !== undefined && !kind.startsWith("encrypted") ? `${kind} 🔒` : kind;
}
