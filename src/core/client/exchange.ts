import type { Dispatcher } from "undici";
import type { MessageCrypto } from "../crypto.js";
import { openReply } from "../envelope.js";
import { judgeReply, type Problem } from "../reply.js";
import { parseXml, type XmlRecord } from "../xml.js";
import type { Callback } from "./callback.js";
import { send, type HttpResult } from "./http.js";

/** WeChat's deadline for an answer (protocol §1). */
export const WECHAT_TIMEOUT_MS = 5_000;

/** One message sent and its answer judged as WeChat would. */
export interface ExchangeResult {
  ok: boolean;
  status: number;
  latencyMs: number;
  request: { url: string; query: Record<string, string>; body: string; message: XmlRecord };
  /** "none" = `success`/empty (no reply); "reply" = reply XML; "invalid"/"failed" = WeChat shows the failure screen. */
  replyKind: "none" | "reply" | "invalid" | "failed";
  reply: XmlRecord | null;
  /** The body as received (still encrypted in safe/compat mode). */
  raw: string;
  /** The reply XML after decryption, when it was encrypted. */
  decrypted?: string;
  problems: Problem[];
}

const error = (code: string, message: string): Problem => ({ severity: "error", code, message });

/** Judges an HTTP answer to a callback: status, deadline, decryption and the reply itself. */
export function judgeAnswer(
  callback: Callback,
  http: HttpResult,
  crypto?: MessageCrypto,
): Omit<ExchangeResult, "request"> {
  const base = { status: http.status, latencyMs: http.latencyMs, raw: http.body, reply: null };
  const fail = (problem: Problem): Omit<ExchangeResult, "request"> => ({
    ...base,
    ok: false,
    replyKind: "failed",
    problems: [problem],
  });
  if (http.failure?.kind === "timeout")
    return fail(error("timeout", `${http.failure.message}: WeChat would retry, then show the user an error`));
  if (http.failure !== undefined) return fail(error("unreachable", http.failure.message));
  if (http.status !== 200)
    return fail(error("status", `HTTP ${http.status}: WeChat needs 200${statusHint(http.status)}`));
  const problems: Problem[] = [];
  if (http.latencyMs > WECHAT_TIMEOUT_MS)
    problems.push(error("slow", `answered after ${Math.round(http.latencyMs)} ms; WeChat gives up after 5000 ms`));
  let body = http.body;
  let decrypted: string | undefined;
  if (callback.mode !== "plain" && crypto !== undefined && looksEncrypted(body)) {
    try {
      decrypted = openReply(crypto, body).plaintext;
      body = decrypted;
    } catch (cause) {
      return fail(error("decrypt", `encrypted reply rejected: ${(cause as Error).message}`));
    }
  } else if (callback.mode === "safe" && body.trim() !== "" && body.trim() !== "success") {
    problems.push(
      error("plaintext-reply", "safe mode: the reply must be encrypted (Encrypt, MsgSignature, TimeStamp, Nonce)"),
    );
  }
  const verdict = judgeReply(body, callback.message);
  for (const problem of verdict.problems) problems.push(problem);
  // Written out rather than spread from `base`: this runs for every answer in load mode.
  return {
    status: http.status,
    latencyMs: http.latencyMs,
    raw: http.body,
    decrypted,
    reply: verdict.reply,
    replyKind: verdict.kind,
    problems,
    ok: problems.every((problem) => problem.severity !== "error"),
  };
}

function looksEncrypted(body: string): boolean {
  if (!body.includes("<Encrypt>")) return false;
  try {
    return typeof parseXml(body).Encrypt === "string";
  } catch {
    return false;
  }
}

function statusHint(status: number): string {
  if (status === 301 || status === 302 || status === 308)
    return " (a redirect: WeChat does not follow it; check the path and trailing slash)";
  if (status === 403 || status === 401) return " (the server rejected the request: check the Token)";
  if (status === 404) return " (check the URL path)";
  if (status === 502 || status === 504) return " (the proxy could not reach the app: is it running on the right port?)";
  return "";
}

/** Sends a callback and judges the answer. */
export async function exchange(
  callback: Callback,
  options: { timeoutMs?: number; crypto?: MessageCrypto; dispatcher?: Dispatcher } = {},
): Promise<ExchangeResult> {
  const http = await send({
    method: "POST",
    url: callback.url,
    body: callback.body,
    headers: { "Content-Type": "text/xml" },
    timeoutMs: options.timeoutMs ?? WECHAT_TIMEOUT_MS,
    dispatcher: options.dispatcher,
  });
  const result = judgeAnswer(callback, http, options.crypto) as ExchangeResult;
  result.request = { url: callback.url, query: callback.query, body: callback.body, message: callback.message };
  return result;
}

/** The parts of a reply that must not change between retries (CreateTime may). */
export function replyFingerprint(result: ExchangeResult): string {
  if (result.reply === null) return `${result.replyKind}:${result.raw.trim()}`;
  const { CreateTime: _ignored, ...rest } = result.reply;
  return JSON.stringify(rest);
}

/**
 * WeChat's retry on timeout: up to 3 sends of the same message. `consistent` compares the
 * answers that came back: null when fewer than two did, so there was nothing to compare.
 */
export async function exchangeWithRetry(
  build: () => Callback,
  options: { timeoutMs?: number; crypto?: MessageCrypto; attempts?: number },
): Promise<{ attempts: ExchangeResult[]; consistent: boolean | null; final: ExchangeResult }> {
  let final = await exchange(build(), options);
  const attempts = [final];
  const timedOut = (result: ExchangeResult): boolean => result.problems.some((problem) => problem.code === "timeout");
  while (attempts.length < (options.attempts ?? 3) && timedOut(final)) {
    final = await exchange(build(), options);
    attempts.push(final);
  }
  const answered = attempts.filter((attempt) => attempt.replyKind !== "failed");
  const consistent = answered.length < 2 ? null : new Set(answered.map(replyFingerprint)).size === 1;
  return { attempts, consistent, final };
}
