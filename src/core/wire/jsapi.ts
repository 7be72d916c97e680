/**
 * The JS-SDK signature a page inside WeChat passes to `wx.config` (protocol §8): sha1 of
 * `jsapi_ticket=…&noncestr=…&timestamp=…&url=…`, keys in that (sorted) order, values raw, the URL
 * without its `#` fragment.
 */
import { randomBytesPooled } from "../support/random.js";
import { makeTimestamp, sha1Hex } from "./signature.js";

/** What the JS-SDK signature covers. */
export interface JsapiSignInput {
  /** The jsapi_ticket from `cgi-bin/ticket/getticket?type=jsapi`. */
  ticket: string;
  nonceStr: string;
  /** Whole seconds since the epoch. */
  timestamp: string;
  /** The page's full URL; a `#` fragment is not signed. */
  url: string;
}

/** The object a page passes to `wx.config` (its `jsApiList` and `debug` are the page's own choice). */
export interface WxConfig {
  appId?: string;
  timestamp: number;
  nonceStr: string;
  signature: string;
}

/** A signed page: the wx.config object, the URL as signed and the fragment left out of it (if any). */
export interface SignedPage {
  config: WxConfig;
  url: string;
  droppedFragment?: string;
}

/** The URL as the JS-SDK signs it: everything before the first `#`. */
export function signedUrl(url: string): string {
  const hashAt = url.indexOf("#");
  return hashAt === -1 ? url : url.slice(0, hashAt);
}

/** The JS-SDK signature (40 hex digits) of a page URL, ticket, nonce and timestamp. */
export function jsapiSignature(input: JsapiSignInput): string {
  const plain =
    `jsapi_ticket=${input.ticket}&noncestr=${input.nonceStr}` +
    `&timestamp=${input.timestamp}&url=${signedUrl(input.url)}`;
  return sha1Hex(plain);
}

const NONCE_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";

/** A fresh 16-character nonceStr of letters and digits, like the documentation's `Wm3WZYTPz0wzccnW`. */
export function makeNonceStr(): string {
  return [...randomBytesPooled(16)].map((byte) => NONCE_ALPHABET[byte % NONCE_ALPHABET.length]).join("");
}

/**
 * Signs a page for `wx.config`; the nonce and timestamp default to fresh ones. `now` is for tests.
 */
export function wxConfig(
  input: Omit<JsapiSignInput, "nonceStr" | "timestamp"> & { appId?: string; nonceStr?: string; timestamp?: string },
  now: number = Date.now(),
): SignedPage {
  const nonceStr = input.nonceStr ?? makeNonceStr();
  const timestamp = input.timestamp ?? makeTimestamp(now);
  const url = signedUrl(input.url);
  const signature = jsapiSignature({ ticket: input.ticket, nonceStr, timestamp, url });
  const config: WxConfig = {
    ...(input.appId === undefined ? {} : { appId: input.appId }),
    timestamp: Number(timestamp),
    nonceStr,
    signature,
  };
  const droppedFragment = url === input.url ? undefined : input.url.slice(url.length);
  return { config, url, ...(droppedFragment === undefined ? {} : { droppedFragment }) };
}
