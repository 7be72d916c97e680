import * as nodeCrypto from "node:crypto";
import { randomUint32 } from "../support/random.js";

// crypto.hash (Node >= 20.12) is one call where createHash makes three objects: ~5x faster
// for a signature, which load mode and the server make thousands of times a second.
/** sha1 of a UTF-8 string, as 40 hex digits. */
export const sha1Hex: (data: string) => string =
  typeof nodeCrypto.hash === "function"
    ? (data) => nodeCrypto.hash("sha1", data, "hex")
    : (data) => nodeCrypto.createHash("sha1").update(data).digest("hex");

/** sha1 hex of the parts sorted as strings and joined with no separator (protocol §2). */
export function sha1Sorted(parts: readonly string[]): string {
  return sha1Hex([...parts].sort().join(""));
}

/** The URL `signature` WeChat puts on every callback. */
export function signature(token: string, timestamp: string, nonce: string): string {
  return sha1Sorted([token, timestamp, nonce]);
}

/** The `msg_signature` of safe/compatible mode, computed over the Encrypt field too. */
export function msgSignature(token: string, timestamp: string, nonce: string, encrypt: string): string {
  return sha1Sorted([token, timestamp, nonce, encrypt]);
}

/** Compares two signatures in constant time; false for any length or case mismatch. */
export function safeEqual(expected: string, received: string): boolean {
  const a = Buffer.from(expected, "utf8");
  const b = Buffer.from(received, "utf8");
  if (a.length !== b.length) {
    nodeCrypto.timingSafeEqual(a, a);
    return false;
  }
  return nodeCrypto.timingSafeEqual(a, b);
}

/** True when `received` is the URL signature of token/timestamp/nonce. */
export function verifySignature(token: string, timestamp: string, nonce: string, received: string): boolean {
  return safeEqual(signature(token, timestamp, nonce), received.toLowerCase());
}

/** True when `received` is the msg_signature of token/timestamp/nonce/encrypt. */
export function verifyMsgSignature(
  token: string,
  timestamp: string,
  nonce: string,
  encrypt: string,
  received: string,
): boolean {
  return safeEqual(msgSignature(token, timestamp, nonce, encrypt), received.toLowerCase());
}

/** A WeChat timestamp: whole seconds since the epoch, as a string. */
export function makeTimestamp(now: number = Date.now()): string {
  return String(Math.floor(now / 1000));
}

/** A random numeric nonce like the ones WeChat sends (9–10 digits). */
export function makeNonce(): string {
  return String((randomUint32() % 9_000_000_000) + 1_000_000_000).slice(0, 10);
}
