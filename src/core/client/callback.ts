import type { MessageCrypto } from "../crypto.js";
import { sealRequest } from "../envelope.js";
import { InputError } from "../errors.js";
import type { Mode } from "../modes.js";
import { makeNonce, makeTimestamp, signature } from "../signature.js";
import { buildXml, parseXml, type XmlRecord } from "../xml.js";

/** A POST exactly as WeChat sends it: signed query, XML body (encrypted in safe/compat mode). */
export interface Callback {
  url: string;
  query: Record<string, string>;
  body: string;
  /** The message in plaintext, as the server should see it after decryption. */
  message: XmlRecord;
  mode: Mode;
}

export interface CallbackOptions {
  url: string;
  token: string;
  mode: Mode;
  crypto?: MessageCrypto;
  /** A message record, or hand-written XML. */
  message: XmlRecord | string;
  timestamp?: string;
  nonce?: string;
}

let lastUrl: string | undefined;
let lastBare: string | undefined;

/** The normalised URL when it has no query or fragment (remembered: load mode signs the same URL over and over). */
function bareHref(url: string): string | undefined {
  if (url !== lastUrl) {
    const parsed = new URL(url);
    lastBare = /[?#]/.test(parsed.href) ? undefined : parsed.href;
    lastUrl = url;
  }
  return lastBare;
}

/** Appends query parameters to a URL that may already have some. */
export function withQuery(url: string, query: Record<string, string>): string {
  const bare = bareHref(url);
  if (bare !== undefined) return `${bare}?${new URLSearchParams(query).toString()}`;
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** Checks a target URL once, so every command gives the same clear error. */
export function checkUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new InputError(
      `${JSON.stringify(url)} is not a URL`,
      "pass the full callback URL, e.g. http://127.0.0.1:8013/wechat8013",
    );
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InputError(`${url} is not an http(s) URL`, "WeChat calls http:// (port 80) or https:// (port 443) URLs");
  }
  return url;
}

/** Builds the signed callback for a message (timestamps in seconds; both signatures in encrypted modes). */
export function buildCallback(options: CallbackOptions): Callback {
  const plaintext = typeof options.message === "string" ? options.message : buildXml(options.message);
  const message = typeof options.message === "string" ? parseXml(options.message) : options.message;
  const timestamp = options.timestamp ?? makeTimestamp();
  const nonce = options.nonce ?? makeNonce();
  const query: Record<string, string> = {
    signature: signature(options.token, timestamp, nonce),
    timestamp,
    nonce,
    openid: String(message.FromUserName ?? ""),
  };
  let body = plaintext;
  if (options.mode !== "plain") {
    if (options.crypto === undefined)
      throw new InputError(
        `${options.mode} mode needs the EncodingAESKey and appId`,
        "set --aes-key and --app-id (or WXDEV_AES_KEY, WXDEV_APP_ID)",
      );
    const sealed = sealRequest(options.crypto, plaintext, options.mode, timestamp, nonce);
    body = sealed.body;
    query.encrypt_type = "aes";
    query.msg_signature = sealed.envelope.msgSignature;
  }
  return { url: withQuery(options.url, query), query, body, message, mode: options.mode };
}
