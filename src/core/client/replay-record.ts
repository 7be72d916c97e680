/**
 * A recorded exchange read for replay: what kind of request it was, its message in plaintext, and what it
 * got wrong when recorded (a signature that did not verify with the Token, another appId inside the
 * ciphertext, an old timestamp), so replay can send the same request again, forgeries forged alike.
 */
import type { Decrypted } from "../wire/crypto.js";
import { MissingSettingError } from "../config/settings.js";
import { InputError } from "../support/errors.js";
import { type ExchangeRecord, queryOf } from "../wire/exchange-record.js";
import type { Mode } from "../wire/modes.js";
import { verifyMsgSignature, verifySignature } from "../wire/signature.js";
import { parseXml, type XmlRecord } from "../wire/xml.js";
import type { Forgery } from "./forgery.js";
import type { Target } from "./target.js";

/** A record made ready to send again. */
export type Prepared =
  | { kind: "handshake"; record: ExchangeRecord; echostr: string; forgery: Forgery }
  | {
      kind: "message";
      record: ExchangeRecord;
      mode: Mode;
      /** The message as the app read it (decrypted in safe/compat mode), byte for byte. */
      plaintext: string;
      /** The message parsed; null when the body was not a WeChat message (check's malformed body). */
      message: XmlRecord | null;
      forgery: Forgery;
    }
  | { kind: "other"; record: ExchangeRecord; reason: string };

/** The signed query of a record, and whether its `signature` verified with the replay's Token. */
interface Signed {
  query: URLSearchParams;
  timestamp: string;
  nonce: string;
  signed: boolean;
}

/** Below this many seconds, a timestamp's distance from the arrival is latency or clock drift, not a replay. */
const DRIFT_SECONDS = 60;

/**
 * How far the timestamp lay behind the time the request arrived, in whole seconds: 0 when either is unknown
 * or the distance is mere drift.
 */
function ageOf(record: ExchangeRecord, timestamp: string): number {
  const arrived = Date.parse(record.time);
  if (Number.isNaN(arrived) || !/^\d{1,12}$/.test(timestamp)) return 0;
  const age = Math.round(arrived / 1000 - Number(timestamp));
  return Math.abs(age) < DRIFT_SECONDS ? 0 : age;
}

/** The Forgery that reproduces what the record got wrong; the Encrypt field's traits are added by the caller. */
function recordedForgery(record: ExchangeRecord, signed: Signed): Forgery {
  const age = ageOf(record, signed.timestamp);
  return { ...(signed.signed ? {} : { badSignature: true }), ...(age === 0 ? {} : { ageSeconds: age }) };
}

function needsCrypto(where: string): InputError {
  return new MissingSettingError(
    ["aesKey", "appId"],
    `${where} was recorded in safe mode: replaying it needs the EncodingAESKey and appId`,
  );
}

/** An encrypted record opened: its mode, plaintext, the appId inside it and whether msg_signature verified. */
function openEncrypted(
  target: Target,
  record: ExchangeRecord,
  signed: Signed,
  where: string,
): { mode: Mode; opened: Decrypted; msgSigned: boolean } {
  if (target.crypto === undefined) throw needsCrypto(where);
  try {
    const envelope = parseXml(record.body);
    const encrypt = String(envelope.Encrypt ?? "");
    const msgSignature = signed.query.get("msg_signature") ?? "";
    return {
      mode: envelope.MsgType === undefined ? "safe" : "compat",
      opened: target.crypto.decryptRaw(encrypt),
      msgSigned: verifyMsgSignature(target.token, signed.timestamp, signed.nonce, encrypt, msgSignature),
    };
  } catch (cause) {
    throw new InputError(`${where}: cannot decrypt the recorded message: ${(cause as Error).message}`, {
      hint: "use the EncodingAESKey and appId of the account the traffic was recorded for",
      cause,
    });
  }
}

/** The message of a recorded POST in plaintext (decrypted when encrypted), or why it is not one to send. */
function openMessage(record: ExchangeRecord, where: string, target: Target, signed: Signed): Prepared {
  const forgery = recordedForgery(record, signed);
  let mode: Mode = "plain";
  let plaintext = record.body;
  if (signed.query.get("encrypt_type") === "aes") {
    let encrypted: ReturnType<typeof openEncrypted>;
    try {
      encrypted = openEncrypted(target, record, signed, where);
    } catch (error) {
      // The server took it then, so WeChat sent it and the key is wrong; a refused one was a stranger's.
      if (record.status === 200 || target.crypto === undefined) throw error;
      return { kind: "other", record, reason: "refused when recorded and cannot be decrypted: not from WeChat" };
    }
    mode = encrypted.mode;
    plaintext = encrypted.opened.message;
    if (!encrypted.msgSigned) forgery.badMsgSignature = true;
    if (encrypted.opened.appId !== target.crypto?.appId) forgery.appId = encrypted.opened.appId;
  }
  let message: XmlRecord | null;
  try {
    message = parseXml(plaintext);
  } catch {
    message = null;
  }
  return { kind: "message", record, mode, plaintext, message, forgery };
}

/** Reads a record as WeChat (or a forger) sent it; an encrypted one that cannot be opened is an InputError. */
export function prepareRecord(record: ExchangeRecord, where: string, target: Target): Prepared {
  if (record.error !== undefined)
    return {
      kind: "other",
      record,
      reason: `the tunnel answered ${record.status} itself, not the app: nothing to compare`,
    };
  if (record.truncated !== undefined)
    return {
      kind: "other",
      record,
      reason: `recorded in part (a body of ${record.truncated.body} bytes, a reply of ${record.truncated.reply})`,
    };
  const query = queryOf(record.path);
  if (!query.has("signature")) return { kind: "other", record, reason: "not signed: not a request from WeChat" };
  const timestamp = query.get("timestamp") ?? "";
  const nonce = query.get("nonce") ?? "";
  const signed = {
    query,
    timestamp,
    nonce,
    signed: verifySignature(target.token, timestamp, nonce, query.get("signature") ?? ""),
  };
  const echostr = query.get("echostr");
  if (record.method === "GET" && echostr !== null)
    return { kind: "handshake", record, echostr, forgery: recordedForgery(record, signed) };
  if (record.method !== "POST") return { kind: "other", record, reason: `${record.method} is not a WeChat callback` };
  return openMessage(record, where, target, signed);
}

/** True when the record's signature did not verify with the replay's Token. */
const unsigned = (item: Prepared): boolean => item.kind !== "other" && item.forgery.badSignature === true;

/**
 * Refuses a replay whose Token signs none of the records the app accepted: the recording was made with
 * another Token, and every request would be sent as a forgery.
 */
export function checkToken(prepared: readonly Prepared[], source: string): void {
  const sendable = prepared.filter((item) => item.kind !== "other");
  if (sendable.length === 0 || !sendable.every(unsigned)) return;
  if (!sendable.some((item) => item.record.status === 200)) return;
  throw new InputError(`${source} was signed with another Token: no recorded signature verifies with this one`, {
    hint: "replay with the Token of the app that was recorded",
    input: "token",
  });
}
