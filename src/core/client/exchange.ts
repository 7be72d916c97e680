import type { Dispatcher } from "undici";
import type { MessageCrypto } from "../wire/crypto.js";
import { explainStatus, explainUnreachable } from "./diagnose.js";
import { errorProblem as error, jsonReplyProblem, type Problem } from "../wire/problem.js";
import { openReply } from "../wire/envelope.js";
import { checkSeconds, judgeReply } from "../wire/reply.js";
import { parseXml, type XmlRecord } from "../wire/xml.js";
import { buildCallback, type Callback } from "./callback.js";
import { httpRequest, type HttpResult } from "./http.js";
import { WECHAT_TIMEOUT_MS, type Target } from "./target.js";

/** One message sent and its answer judged as WeChat would. */
export interface ExchangeResult {
  ok: boolean;
  status: number;
  latencyMs: number;
  /** `plaintext`: in safe/compat mode, the XML that was encrypted into `body`. */
  request: { url: string; query: Record<string, string>; body: string; message: XmlRecord; plaintext?: string };
  /** "none" = `success`/empty (no reply); "reply" = reply XML; "invalid"/"failed" = WeChat shows the failure screen. */
  replyKind: "none" | "reply" | "invalid" | "failed";
  reply: XmlRecord | null;
  /** The body as received (still encrypted in safe/compat mode). */
  raw: string;
  /** The reply XML after decryption, when it was encrypted. */
  decrypted?: string;
  problems: Problem[];
}

/** The Token a callback was signed with and where the target came from, for explaining a refusal. */
type Signer = Pick<Target, "token" | "origin">;

/** Judges an HTTP answer to a callback: status, deadline, decryption and the reply itself. */
export function judgeAnswer(
  callback: Callback,
  http: HttpResult,
  crypto?: MessageCrypto,
  signer?: Signer,
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
  if (http.failure !== undefined) return fail(error("unreachable", explainUnreachable(http.failure, signer?.origin)));
  if (http.status !== 200) {
    const request = { method: "POST", signature: callback.query.signature ?? "", ...signer } as const;
    return fail(error("status", explainStatus(http.status, request)));
  }
  const problems: Problem[] = [];
  if (http.latencyMs > WECHAT_TIMEOUT_MS)
    problems.push(error("slow", `answered after ${Math.round(http.latencyMs)} ms; WeChat gives up after 5000 ms`));
  let body = http.body;
  let decrypted: string | undefined;
  if (callback.mode !== "plain" && crypto !== undefined && looksEncrypted(body)) {
    try {
      const opened = openReply(crypto, body);
      checkSeconds("TimeStamp", opened.envelope.timestamp, problems);
      decrypted = opened.plaintext;
      body = decrypted;
    } catch (cause) {
      return fail(error("decrypt", `encrypted reply rejected: ${(cause as Error).message}`));
    }
  } else if (callback.mode === "safe" && body.trim() !== "" && body.trim() !== "success") {
    problems.push(
      error("plaintext-reply", "safe mode: the reply must be encrypted (Encrypt, MsgSignature, TimeStamp, Nonce)"),
    );
  }
  // JSON is refused before the XML parser, whose "char '{'" would not say what to change.
  const json = jsonReplyProblem(body);
  const verdict =
    json === undefined
      ? judgeReply(body, callback.message)
      : { kind: "invalid" as const, reply: null, problems: [json] };
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

/** Sends a callback and judges the answer. */
export async function exchange(
  callback: Callback,
  options: { timeoutMs?: number; crypto?: MessageCrypto; dispatcher?: Dispatcher; signer?: Signer } = {},
): Promise<ExchangeResult> {
  const http = await httpRequest({
    method: "POST",
    url: callback.url,
    body: callback.body,
    headers: { "Content-Type": "text/xml" },
    timeoutMs: options.timeoutMs ?? WECHAT_TIMEOUT_MS,
    dispatcher: options.dispatcher,
  });
  const result = judgeAnswer(callback, http, options.crypto, options.signer) as ExchangeResult;
  result.request = { url: callback.url, query: callback.query, body: callback.body, message: callback.message };
  if (callback.plaintext !== undefined) result.request.plaintext = callback.plaintext;
  return result;
}

/** Sends one message to a target as WeChat would (freshly signed, encrypted in its mode) and judges the answer. */
export function send(
  target: Target,
  message: XmlRecord | string,
  options: { dispatcher?: Dispatcher } = {},
): Promise<ExchangeResult> {
  const callback = buildCallback(target, message);
  return exchange(callback, {
    timeoutMs: target.timeoutMs,
    crypto: target.crypto,
    dispatcher: options.dispatcher,
    signer: target,
  });
}

/** The parts of a reply that must not change between retries (CreateTime may). */
export function replyFingerprint(result: ExchangeResult): string {
  if (result.reply === null) return `${result.replyKind}:${result.raw.trim()}`;
  const { CreateTime: _ignored, ...rest } = result.reply;
  return JSON.stringify(rest);
}

/**
 * WeChat's retry on timeout: up to 3 sends of the same message, each freshly signed. `consistent`
 * compares the answers that came back: null when fewer than two did, so there was nothing to compare.
 */
export async function sendWithRetry(
  target: Target,
  message: XmlRecord | string,
  options: { attempts?: number } = {},
): Promise<{ attempts: ExchangeResult[]; consistent: boolean | null; final: ExchangeResult }> {
  let final = await send(target, message);
  const attempts = [final];
  const timedOut = (result: ExchangeResult): boolean => result.problems.some((problem) => problem.code === "timeout");
  while (attempts.length < (options.attempts ?? 3) && timedOut(final)) {
    final = await send(target, message);
    attempts.push(final);
  }
  const answered = attempts.filter((attempt) => attempt.replyKind !== "failed");
  const consistent = answered.length < 2 ? null : new Set(answered.map(replyFingerprint)).size === 1;
  return { attempts, consistent, final };
}
