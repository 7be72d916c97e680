import type { Envelope, MessageCrypto } from "./crypto.js";
import { CryptoError, WxCryptoCode } from "../support/errors.js";
import { buildXml, parseXml, type XmlRecord } from "./xml.js";

function field(record: XmlRecord, name: string): string | undefined {
  const value = record[name];
  return typeof value === "string" ? value : undefined;
}

/** Encrypts a reply and wraps it in the signed reply envelope (Encrypt, MsgSignature, TimeStamp, Nonce). */
export function sealReply(crypto: MessageCrypto, replyXml: string, timestamp?: string, nonce?: string): string {
  const envelope = crypto.sign(crypto.encrypt(replyXml), timestamp, nonce);
  return buildXml({
    Encrypt: envelope.encrypt,
    MsgSignature: envelope.msgSignature,
    TimeStamp: envelope.timestamp,
    Nonce: envelope.nonce,
  });
}

/** Checks a reply envelope's own signature and decrypts it; returns the plaintext reply XML. */
export function openReply(crypto: MessageCrypto, envelopeXml: string): { plaintext: string; envelope: Envelope } {
  const record = parseEnvelope(envelopeXml);
  const envelope: Envelope = {
    encrypt: requireField(record, "Encrypt"),
    msgSignature: requireField(record, "MsgSignature"),
    timestamp: requireField(record, "TimeStamp"),
    nonce: requireField(record, "Nonce"),
  };
  crypto.verify(envelope);
  return { plaintext: crypto.decrypt(envelope.encrypt), envelope };
}

/** A request body as WeChat sends it in safe or compatible mode, with its query signatures. */
export interface SealedRequest {
  body: string;
  envelope: Envelope;
}

/**
 * Encrypts a message as WeChat does: safe mode sends ToUserName + Encrypt,
 * compatible mode the plaintext fields and Encrypt together.
 */
export function sealRequest(
  crypto: MessageCrypto,
  messageXml: string,
  mode: "safe" | "compat",
  timestamp?: string,
  nonce?: string,
): SealedRequest {
  const message = parseXml(messageXml);
  const envelope = crypto.sign(crypto.encrypt(messageXml), timestamp, nonce);
  const body =
    mode === "safe"
      ? buildXml({ ToUserName: field(message, "ToUserName") ?? "", Encrypt: envelope.encrypt })
      : buildXml({ ...message, Encrypt: envelope.encrypt });
  return { body, envelope };
}

/** Query values that sign an encrypted request. */
export interface RequestSignature {
  timestamp: string;
  nonce: string;
  msgSignature: string;
}

/** Checks msg_signature over the body's Encrypt field and decrypts it; returns the plaintext message XML. */
export function openRequest(crypto: MessageCrypto, bodyXml: string, query: RequestSignature): string {
  const record = parseEnvelope(bodyXml);
  const encrypt = requireField(record, "Encrypt");
  crypto.verify({ encrypt, ...query });
  return crypto.decrypt(encrypt);
}

function parseEnvelope(xml: string): XmlRecord {
  try {
    return parseXml(xml);
  } catch (cause) {
    throw new CryptoError(WxCryptoCode.ParseXmlError, `envelope is not valid XML: ${(cause as Error).message}`, {
      cause,
    });
  }
}

function requireField(record: XmlRecord, name: string): string {
  const value = field(record, name);
  if (value === undefined || value === "") {
    throw new CryptoError(WxCryptoCode.ParseXmlError, `envelope has no ${name} field`, {
      hint: "pass the whole <xml>…</xml> envelope",
    });
  }
  return value;
}
