/**
 * An exchange's record read with the account's keys: the message inside it (decrypted in safe/compat mode) and the
 * answer (decrypted when encrypted). What the inspector's list and its detail view both start from.
 */
import type { MessageCrypto } from "../wire/crypto.js";
import { type ExchangeRecord, queryOf } from "../wire/exchange-record.js";
import type { Mode } from "../wire/modes.js";
import { parseXml, type XmlRecord } from "../wire/xml.js";

/** What the inspector reads exchanges with: the Token (signatures) and, for safe/compat mode, the crypto. */
export interface InspectKeys {
  token?: string;
  crypto?: MessageCrypto;
}

/** A record's request opened: its mode, the message XML in plaintext and parsed, or why it could not be. */
export interface OpenedRequest {
  mode: Mode;
  /** The Encrypt element of an encrypted body. */
  ciphertext?: string;
  /** The message in plaintext (the body itself in plain mode). */
  plaintext?: string;
  message?: XmlRecord;
  /** The appId found inside the ciphertext. */
  appId?: string;
  /** Why the message could not be read (no key, another key, not XML). */
  problem?: string;
}

function parsed(text: string): XmlRecord | undefined {
  try {
    return parseXml(text);
  } catch {
    return undefined;
  }
}

/** Opens a record's request body with the keys given. */
export function openRecordRequest(record: ExchangeRecord, keys: InspectKeys): OpenedRequest {
  if (record.method !== "POST" || record.body.trim() === "") return { mode: "plain" };
  const envelope = parsed(record.body);
  const encrypt = envelope?.Encrypt;
  const encrypted = queryOf(record.path).get("encrypt_type") === "aes" || typeof encrypt === "string";
  if (!encrypted || typeof encrypt !== "string") {
    const message = envelope;
    return message === undefined
      ? { mode: "plain", plaintext: record.body, problem: "the body is not XML" }
      : { mode: "plain", plaintext: record.body, message };
  }
  const mode: Mode = envelope?.MsgType === undefined ? "safe" : "compat";
  if (keys.crypto === undefined)
    return { mode, ciphertext: encrypt, problem: "encrypted: give the EncodingAESKey and appId to read it" };
  try {
    const opened = keys.crypto.decryptRaw(encrypt);
    const message = parsed(opened.message);
    const appId = opened.appId;
    const problem =
      message === undefined
        ? "the decrypted message is not XML"
        : appId === keys.crypto.appId
          ? undefined
          : `encrypted for appId ${JSON.stringify(appId)}, not this account's ${JSON.stringify(keys.crypto.appId)}`;
    return { mode, ciphertext: encrypt, plaintext: opened.message, message, appId, problem };
  } catch (cause) {
    return { mode, ciphertext: encrypt, problem: `cannot decrypt: ${(cause as Error).message}` };
  }
}

/** The answer opened: the plaintext reply when it was encrypted, or why it could not be decrypted. */
export function openRecordReply(record: ExchangeRecord, keys: InspectKeys): { decrypted?: string; problem?: string } {
  if (!record.reply.includes("<Encrypt>")) return {};
  const encrypt = parsed(record.reply)?.Encrypt;
  if (typeof encrypt !== "string") return {};
  if (keys.crypto === undefined) return { problem: "encrypted: give the EncodingAESKey and appId to read it" };
  try {
    return { decrypted: keys.crypto.decrypt(encrypt) };
  } catch (cause) {
    return { problem: `cannot decrypt: ${(cause as Error).message}` };
  }
}
