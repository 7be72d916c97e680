import type { Envelope } from "../wire/crypto.js";
import { replaceEncrypt } from "../wire/encrypt-element.js";
import { sealRequest } from "../wire/envelope.js";
import type { Mode } from "../wire/modes.js";
import { makeNonce, makeTimestamp, msgSignature, signature } from "../wire/signature.js";
import { buildXml, parseXml, type XmlRecord } from "../wire/xml.js";
import { type Forgery, forgedToken } from "./forgery.js";
import { targetUrl, type Target } from "./target.js";

/** A POST exactly as WeChat sends it: signed query, XML body (encrypted in safe/compat mode). */
export interface Callback {
  url: string;
  query: Record<string, string>;
  body: string;
  /** The message in plaintext, as the server should see it after decryption. */
  message: XmlRecord;
  mode: Mode;
  /** In safe/compat mode: the XML that was encrypted into the body. */
  plaintext?: string;
}

/** How to build a callback beyond the message: fixed timestamp and nonce, a forgery, a recorded outer body. */
export interface CallbackOptions {
  timestamp?: string;
  nonce?: string;
  /** What to get wrong on purpose (see Forgery); nothing by default. */
  forgery?: Forgery;
  /**
   * The outer body to send in an encrypted mode, as recorded: only its Encrypt element is replaced (the
   * compatible-mode plaintext fields, declaration, comments and white space go out byte for byte).
   */
  outerBody?: string;
  /** A string message already parsed (replay: `{}` for a recorded body that is no message), not parsed again. */
  parsed?: XmlRecord;
}

/** Builds the signed callback for a message (timestamps in seconds; both signatures in encrypted modes). */
export function buildCallback(target: Target, message: XmlRecord | string, options: CallbackOptions = {}): Callback {
  const plaintext = typeof message === "string" ? message : buildXml(message);
  const record = typeof message === "string" ? (options.parsed ?? parseXml(message)) : message;
  const forgery = options.forgery ?? {};
  const timestamp = options.timestamp ?? makeTimestamp(Date.now() - (forgery.ageSeconds ?? 0) * 1000);
  const nonce = options.nonce ?? makeNonce();
  const query: Record<string, string> = {
    signature: signature(forgery.badSignature ? forgedToken(target.token) : target.token, timestamp, nonce),
    timestamp,
    nonce,
    openid: String(record.FromUserName ?? ""),
  };
  let body = plaintext;
  if (target.mode !== "plain") {
    const crypto = forgery.appId === undefined ? target.crypto : target.crypto.withAppId(forgery.appId);
    let envelope: Envelope;
    if (options.outerBody === undefined) {
      ({ envelope, body } = sealRequest(crypto, plaintext, target.mode, timestamp, nonce));
    } else {
      // A recorded outer body keeps all but its Encrypt element (which replay found there).
      envelope = crypto.sign(crypto.encrypt(plaintext), timestamp, nonce);
      body = replaceEncrypt(options.outerBody, envelope.encrypt) ?? options.outerBody;
    }
    query.encrypt_type = "aes";
    query.msg_signature = forgery.badMsgSignature
      ? msgSignature(forgedToken(target.token), timestamp, nonce, envelope.encrypt)
      : envelope.msgSignature;
  }
  const sent = { url: targetUrl(target, query), query, body, message: record, mode: target.mode };
  return target.mode === "plain" ? sent : { ...sent, plaintext };
}
