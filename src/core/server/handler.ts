import type { MessageCrypto } from "../crypto.js";
import { openRequest, sealReply } from "../envelope.js";
import { WxdevError } from "../errors.js";
import { dedupKey } from "../messages.js";
import type { Mode } from "../modes.js";
import { verifySignature } from "../signature.js";
import { buildXml, parseXml, type XmlRecord } from "../xml.js";
import type { Bot } from "./echo-bot.js";
import { ReplyCache } from "./reply-cache.js";

/** One request/response, as the server reports it through `onExchange`. */
export interface Exchange {
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
  /** Why the request was refused, for non-2xx answers. */
  error?: string;
}

export interface CallbackRequest {
  method: string;
  query: URLSearchParams;
  body: string;
}

export interface CallbackResponse {
  status: number;
  body: string;
  exchange: Omit<Exchange, "time" | "latencyMs" | "method">;
}

export interface HandlerOptions {
  token: string;
  mode: Mode;
  /** Required in compat and safe mode. */
  crypto?: MessageCrypto;
  bot: Bot;
  maxBodyBytes: number;
}

const refuse = (status: number, error: string, encrypted = false): CallbackResponse => ({
  status,
  body: error,
  exchange: { status, error, encrypted, retry: false },
});

function describe(message: XmlRecord): { kind: string; from?: string; content?: string } {
  const kind = message.MsgType === "event" ? `event:${String(message.Event ?? "?")}` : typeof message.MsgType === "string" ? message.MsgType : "no MsgType";
  const content = message.Content ?? message.EventKey ?? message.Label ?? message.Title ?? message.PicUrl;
  return { kind, from: message.FromUserName as string | undefined, content: typeof content === "string" ? content : undefined };
}

/** True when the query's `signature` is WeChat's for this Token (checked before a body is even read). */
export function hasValidSignature(token: string, query: URLSearchParams): boolean {
  return verifySignature(token, query.get("timestamp") ?? "", query.get("nonce") ?? "", query.get("signature") ?? "");
}

/** Handles WeChat's GET (URL validation) and POST (message) callbacks; pure apart from the reply cache. */
export function createCallbackHandler(options: HandlerOptions): (request: CallbackRequest) => Promise<CallbackResponse> {
  const cache = new ReplyCache<string>();
  return async ({ method, query, body }) => {
    const timestamp = query.get("timestamp") ?? "";
    const nonce = query.get("nonce") ?? "";
    if (!hasValidSignature(options.token, query)) return refuse(403, "invalid signature");
    if (method === "GET") {
      const echostr = query.get("echostr");
      if (echostr === null) return refuse(400, "missing echostr");
      return { status: 200, body: echostr, exchange: { status: 200, kind: "handshake", encrypted: false, retry: false } };
    }
    const encrypted = query.get("encrypt_type") === "aes";
    if (encrypted && options.crypto === undefined) return refuse(400, "encrypted request, but the server has no EncodingAESKey", true);
    if (!encrypted && options.mode === "safe") return refuse(400, "plaintext request to a safe-mode server");
    let message: XmlRecord;
    try {
      const plain = encrypted
        ? openRequest(options.crypto!, body, { timestamp, nonce, msgSignature: query.get("msg_signature") ?? "" })
        : body;
      message = parseXml(plain, { maxBytes: options.maxBodyBytes });
    } catch (error) {
      const status = error instanceof WxdevError && error.kind === "check" ? 403 : 400;
      return refuse(status, error instanceof Error ? error.message : String(error), encrypted);
    }
    const { value, hit } = cache.get(dedupKey(message), () => {
      const reply = options.bot(message);
      return reply === null ? "success" : buildXml(reply);
    });
    const replyXml = await value;
    const described = describe(message);
    const responseBody = encrypted && replyXml !== "success" ? sealReply(options.crypto!, replyXml) : replyXml;
    return {
      status: 200,
      body: responseBody,
      exchange: { status: 200, ...described, reply: replyXml, encrypted, retry: hit },
    };
  };
}
