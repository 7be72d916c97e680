import type { MessageCrypto } from "../wire/crypto.js";
import { openRequest, sealReply } from "../wire/envelope.js";
import { WxdevError } from "../support/errors.js";
import { messageSummary } from "../wire/message-tables.js";
import { dedupKey } from "../wire/messages.js";
import { messageKind } from "../wire/request-kind.js";
import type { Mode } from "../wire/modes.js";
import { verifySignature } from "../wire/signature.js";
import { buildXml, parseXml, type XmlRecord } from "../wire/xml.js";
import type { Bot } from "./echo-bot.js";
import { ReplyCache } from "./reply-cache.js";
import { replaceForbiddenXmlChars } from "./xml-chars.js";

/** What the handler tells of one request/response (the server makes the exchange's record of it). */
export interface HandledRequest {
  time: Date;
  method: string;
  status: number;
  /** MsgType, or `event:<Event>` for events; "handshake" for the GET. */
  kind?: string;
  from?: string;
  content?: string;
  reply?: string;
  encrypted: boolean;
  retry: boolean;
  latencyMs: number;
  /** Why the request was refused, for non-2xx answers: for the local log only, never sent. */
  error?: string;
}

export interface CallbackRequest {
  method: string;
  query: URLSearchParams;
  /** The body, or how to read it: a POST's is read only once its query's signature and timestamp pass. */
  body: string | (() => Promise<string>);
}

export interface CallbackResponse {
  status: number;
  body: string;
  /** The request body as read; undefined when it was refused unread. */
  received?: string;
  exchange: Omit<HandledRequest, "time" | "latencyMs" | "method">;
}

export interface HandlerOptions {
  token: string;
  mode: Mode;
  /** Required in compat and safe mode. */
  crypto?: MessageCrypto;
  bot: Bot;
  maxBodyBytes: number;
  /** POSTs whose timestamp is further than this from the clock are refused (403); 0 = no limit. */
  maxAgeSeconds: number;
  now?: () => number;
}

/** POSTs older or newer than this many seconds are refused by default: a captured request stops working. */
export const DEFAULT_MAX_AGE_SECONDS = 300;

/**
 * The whole body of each refusal. A stranger learns the status and nothing else (no expected
 * signature, no decrypted byte, no parser message), so tampered requests cannot be told apart;
 * the reason goes to the exchange's `error`, for the local log.
 */
export const REFUSAL_BODIES = {
  400: "bad request",
  403: "invalid signature",
  404: "not found",
  405: "method not allowed",
  413: "payload too large",
  500: "internal error",
} as const;

/** A status with a fixed refusal body. */
export type RefusalStatus = keyof typeof REFUSAL_BODIES;

/** A refusal: the fixed body for `status`, the reason in the exchange only. */
export const refuse = (status: RefusalStatus, error: string, encrypted = false): CallbackResponse => ({
  status,
  body: REFUSAL_BODIES[status],
  exchange: { status, error, encrypted, retry: false },
});

function describe(message: XmlRecord): { kind: string; from?: string; content?: string } {
  return {
    kind: messageKind(message),
    from: message.FromUserName as string | undefined,
    content: messageSummary(message),
  };
}

/** True when the query's `signature` is WeChat's for this Token (checked before a body is even read). */
export function hasValidSignature(token: string, query: URLSearchParams): boolean {
  return verifySignature(token, query.get("timestamp") ?? "", query.get("nonce") ?? "", query.get("signature") ?? "");
}

/** Why a POST's timestamp is refused, or undefined when it is within `maxAgeSeconds` of `nowMs`. */
function staleness(timestamp: string, maxAgeSeconds: number, nowMs: number): string | undefined {
  if (!/^\d{1,12}$/.test(timestamp)) return `timestamp ${JSON.stringify(timestamp.slice(0, 20))} is not in seconds`;
  const drift = Math.abs(nowMs / 1000 - Number(timestamp));
  if (drift <= maxAgeSeconds) return undefined;
  return (
    `timestamp ${timestamp} is ${Math.round(drift)} s from this server's clock (max age ${maxAgeSeconds} s):` +
    " a replayed request, or a clock that is off"
  );
}

/** The 403 for a request whose query is not signed with the Token or (POST) is stale; undefined when it may go on. */
export function queryRefusal(
  options: Pick<HandlerOptions, "token" | "maxAgeSeconds" | "now">,
  method: string,
  query: URLSearchParams,
): CallbackResponse | undefined {
  if (!hasValidSignature(options.token, query)) return refuse(403, "invalid signature");
  if (method !== "POST" || options.maxAgeSeconds <= 0) return undefined;
  const stale = staleness(query.get("timestamp") ?? "", options.maxAgeSeconds, (options.now ?? Date.now)());
  return stale === undefined ? undefined : refuse(403, stale);
}

/** Handles WeChat's GET (URL validation) and POST (message) callbacks; pure apart from the reply cache. */
export function createCallbackHandler(
  options: HandlerOptions,
): (request: CallbackRequest) => Promise<CallbackResponse> {
  const cache = new ReplyCache<string>();
  return async ({ method, query, body }) => {
    const timestamp = query.get("timestamp") ?? "";
    const nonce = query.get("nonce") ?? "";
    const refused = queryRefusal(options, method, query);
    if (refused !== undefined) return refused;
    if (method === "GET") {
      const echostr = query.get("echostr");
      if (echostr === null) return refuse(400, "missing echostr");
      return {
        status: 200,
        body: echostr,
        exchange: { status: 200, kind: "handshake", encrypted: false, retry: false },
      };
    }
    const encrypted = query.get("encrypt_type") === "aes";
    const crypto = encrypted ? options.crypto : undefined;
    if (encrypted && crypto === undefined)
      return refuse(400, "encrypted request, but the server has no EncodingAESKey", true);
    if (!encrypted && options.mode === "safe") return refuse(400, "plaintext request to a safe-mode server");
    const text = typeof body === "string" ? body : await body();
    let message: XmlRecord;
    try {
      const plain = crypto
        ? openRequest(crypto, text, { timestamp, nonce, msgSignature: query.get("msg_signature") ?? "" })
        : text;
      message = parseXml(plain, { maxBytes: options.maxBodyBytes });
    } catch (error) {
      // Every failure of one kind gets the same answer: a bad msg_signature 403, anything else
      // (base64, padding, length field, appId, UTF-8, XML) 400, so tampering teaches nothing.
      const status = error instanceof WxdevError && error.kind === "check" ? 403 : 400;
      const refused = refuse(status, error instanceof Error ? error.message : String(error), encrypted);
      refused.received = text;
      return refused;
    }
    const { value, hit } = cache.get(dedupKey(message), () => {
      const reply = options.bot(message);
      return reply === null ? "success" : replaceForbiddenXmlChars(buildXml(reply));
    });
    const replyXml = await value;
    const described = describe(message);
    const responseBody = crypto && replyXml !== "success" ? sealReply(crypto, replyXml) : replyXml;
    return {
      status: 200,
      body: responseBody,
      received: text,
      exchange: { status: 200, ...described, reply: replyXml, encrypted, retry: hit },
    };
  };
}
