import { sealRequest } from "../envelope.js";
import type { Mode } from "../modes.js";
import { makeNonce, makeTimestamp, signature } from "../signature.js";
import { buildXml, parseXml, type XmlRecord } from "../xml.js";
import { targetUrl, type Target } from "./target.js";

/** A POST exactly as WeChat sends it: signed query, XML body (encrypted in safe/compat mode). */
export interface Callback {
  url: string;
  query: Record<string, string>;
  body: string;
  /** The message in plaintext, as the server should see it after decryption. */
  message: XmlRecord;
  mode: Mode;
}

/** Builds the signed callback for a message (timestamps in seconds; both signatures in encrypted modes). */
export function buildCallback(
  target: Target,
  message: XmlRecord | string,
  options: { timestamp?: string; nonce?: string } = {},
): Callback {
  const plaintext = typeof message === "string" ? message : buildXml(message);
  const record = typeof message === "string" ? parseXml(message) : message;
  const timestamp = options.timestamp ?? makeTimestamp();
  const nonce = options.nonce ?? makeNonce();
  const query: Record<string, string> = {
    signature: signature(target.token, timestamp, nonce),
    timestamp,
    nonce,
    openid: String(record.FromUserName ?? ""),
  };
  let body = plaintext;
  if (target.mode !== "plain") {
    const sealed = sealRequest(target.crypto, plaintext, target.mode, timestamp, nonce);
    body = sealed.body;
    query.encrypt_type = "aes";
    query.msg_signature = sealed.envelope.msgSignature;
  }
  return { url: targetUrl(target, query), query, body, message: record, mode: target.mode };
}
