import { explainUnreachable } from "../diagnose.js";
import { WxdevError } from "../errors.js";
import { CHECKED_EVENTS, isNotification, MESSAGE_TYPES } from "../message-tables.js";
import { buildEvent, buildMessage } from "../messages.js";
import { makeNonce, makeTimestamp } from "../signature.js";
import { buildCallback } from "./callback.js";
import { exchange, replyFingerprint, send, type ExchangeResult } from "./exchange.js";
import { handshake, type HandshakeResult } from "./handshake.js";
import { httpRequest } from "./http.js";
import { createTarget, targetUrl, withMode, type Target } from "./target.js";

export type CheckStatus = "pass" | "fail" | "warn" | "skip";

/** One line of the conformance table. */
export interface CheckResult {
  id: string;
  title: string;
  required: boolean;
  status: CheckStatus;
  reason: string;
  /** Why the run stopped after this check (the others would only repeat its failure). */
  stopped?: string;
}

export interface CheckOptions {
  /**
   * The server: its mode is the mode of every message check (a safe-mode server refuses
   * plaintext); its crypto, in any mode, enables the safe and compat checks.
   */
  target: Target;
  onResult?: (result: CheckResult) => void;
}

interface Context {
  target: Target;
  header: { toUserName: string; fromUserName: string };
}

/** `stopped`: why the checks after this one would only repeat its failure (nothing answered, a wrong Token). */
type Outcome = Pick<CheckResult, "status" | "reason" | "stopped">;
interface CheckSpec {
  id: string;
  title: string;
  required: boolean;
  run: (context: Context) => Promise<Outcome>;
}

const CJK = "你好，世界！😀🎉 中文 emoji";

/** pass / warn / fail from an exchange: errors fail, warnings warn. */
function judged(result: ExchangeResult): Outcome {
  const errors = result.problems.filter((problem) => problem.severity === "error");
  if (errors.length > 0) return { status: "fail", reason: errors.map((problem) => problem.message).join("; ") };
  const warnings = result.problems.map((problem) => problem.message);
  const what = result.replyKind === "none" ? "no reply (success)" : replyName(result);
  return warnings.length > 0
    ? { status: "warn", reason: `${what}; ${warnings.join("; ")}` }
    : { status: "pass", reason: `${what} in ${Math.round(result.latencyMs)} ms` };
}

/** "text reply", or what it is when it has no MsgType to name it by. */
function replyName(result: ExchangeResult): string {
  const type = result.reply?.MsgType;
  return typeof type === "string" && type !== "" ? `${type} reply` : "a reply without MsgType";
}

function messageCheck(type: string): CheckSpec {
  return {
    id: `message:${type}`,
    title: `${type} message gets a valid reply`,
    required: true,
    run: async (c) => judged(await send(c.target, buildMessage(type, {}, c.header))),
  };
}

/** A notification (a job finished): WeChat ignores any reply, so `success` or an empty body is the answer. */
function notificationCheck(event: string): CheckSpec {
  return {
    id: `event:${event}`,
    title: `${event} gets success`,
    required: true,
    run: async (c) => {
      const result = await send(c.target, buildEvent(event, {}, c.header));
      const outcome = judged(result);
      if (outcome.status === "fail" || result.replyKind !== "reply") return outcome;
      const ignored = `${String(result.reply?.MsgType)} reply, which WeChat ignores: answer success or an empty body`;
      return { status: "warn", reason: [ignored, ...result.problems.map((problem) => problem.message)].join("; ") };
    },
  };
}

function eventCheck(event: string): CheckSpec {
  if (isNotification(event)) return notificationCheck(event);
  return {
    id: `event:${event}`,
    title: `${event} event gets a valid reply`,
    required: true,
    run: async (c) => judged(await send(c.target, buildEvent(event, {}, c.header))),
  };
}

/** Why a failed handshake makes the rest pointless: no answer at all, or every signature refused (the Tokens differ). */
function stopReason(result: HandshakeResult): string | undefined {
  if (result.problems.some((p) => p.code === "unreachable" || p.code === "timeout")) return "nothing answered";
  if (result.status === 401 || result.status === 403)
    return "the server refuses wxdev's signature, so every signed message would fail alike: make the Tokens match";
  return undefined;
}

/** The suite, in order. */
const CHECKS: CheckSpec[] = [
  {
    id: "handshake",
    title: "URL validation answers echostr exactly",
    required: true,
    run: async (c) => {
      const result = await handshake(c.target);
      if (result.ok) return { status: "pass", reason: `echostr returned in ${Math.round(result.latencyMs)} ms` };
      return { status: "fail", reason: result.problems.map((p) => p.message).join("; "), stopped: stopReason(result) };
    },
  },
  {
    id: "bad-signature-get",
    title: "URL validation with a bad signature is refused",
    required: true,
    run: async (c) => {
      const echostr = "wxdev-forged-echostr";
      const url = targetUrl(c.target, {
        signature: "0".repeat(40),
        timestamp: makeTimestamp(),
        nonce: makeNonce(),
        echostr,
      });
      const http = await httpRequest({ method: "GET", url, timeoutMs: c.target.timeoutMs });
      if (http.failure !== undefined)
        return { status: "fail", reason: explainUnreachable(http.failure, c.target.origin) };
      return http.status === 200 && http.body.includes(echostr)
        ? { status: "fail", reason: "the server echoed a forged request: anyone can claim your URL" }
        : { status: "pass", reason: `HTTP ${http.status}, no echostr` };
    },
  },
  {
    id: "bad-signature-post",
    title: "a message with a bad signature is refused",
    required: true,
    run: async (c) => {
      const forger = createTarget({ ...c.target, token: `${c.target.token}-wrong`, mode: "plain" });
      const callback = buildCallback(forger, buildMessage("text", { Content: "forged" }, c.header));
      const result = await exchange(callback, { timeoutMs: c.target.timeoutMs });
      const lost = result.problems.find((p) => p.code === "unreachable" || p.code === "timeout");
      if (lost !== undefined) return { status: "fail", reason: lost.message };
      if (result.status !== 200) return { status: "pass", reason: `HTTP ${result.status}` };
      if (result.replyKind === "reply")
        return {
          status: "fail",
          reason: "the server answered a forged message: it does not check the signature (insecure)",
        };
      // 200 "success" looks like acceptance: nothing shows the signature was checked at all.
      return {
        status: "fail",
        reason:
          `HTTP 200 with ${result.replyKind === "none" ? "success/empty" : "a non-reply body"} to a forged message:` +
          " refuse it (HTTP 403) so forgeries are visibly rejected",
      };
    },
  },
  ...MESSAGE_TYPES.map(messageCheck),
  ...CHECKED_EVENTS.map(eventCheck),
  {
    id: "retry",
    title: "a retried MsgId gets the same answer",
    required: true,
    run: async (c) => {
      const message = buildMessage("text", { Content: "retry check" }, c.header);
      const first = await send(c.target, message);
      const second = await send(c.target, message);
      if (!first.ok || !second.ok) return judged(first.ok ? second : first);
      return replyFingerprint(first) === replyFingerprint(second)
        ? { status: "pass", reason: "both attempts answered alike" }
        : {
            status: "fail",
            reason:
              "the retry got a different answer: the message was handled twice" +
              " (remember replies by FromUserName + MsgId)",
          };
    },
  },
  {
    id: "cjk",
    title: "CJK and emoji content survives",
    required: true,
    run: async (c) => {
      const result = await send(c.target, buildMessage("text", { Content: CJK }, c.header));
      const outcome = judged(result);
      if (outcome.status === "fail" || result.reply?.MsgType !== "text") return outcome;
      const content = String(result.reply.Content ?? "");
      if (content.includes("\uFFFD") || /\?{3,}/.test(content))
        return { status: "fail", reason: `the reply text is garbled: ${JSON.stringify(content)}` };
      return content.includes(CJK) ? { status: "pass", reason: "echoed intact" } : outcome;
    },
  },
  {
    id: "malformed",
    title: "a malformed body does not break the server",
    required: true,
    run: async (c) => {
      const malformed = await exchange(
        {
          ...buildCallback(withMode(c.target, "plain"), buildMessage("text", {}, c.header)),
          body: "<xml><ToUserName><![CDATA[gh_",
        },
        { timeoutMs: c.target.timeoutMs },
      );
      const next = await send(c.target, buildMessage("text", { Content: "still there?" }, c.header));
      if (!next.ok)
        return { status: "fail", reason: `after a malformed body the next message failed: ${judged(next).reason}` };
      return malformed.status >= 500
        ? { status: "warn", reason: `answered the malformed body with HTTP ${malformed.status}; 400 is clearer` }
        : { status: "pass", reason: `HTTP ${malformed.status || "none"}, then the next message was answered` };
    },
  },
  ...(["safe", "compat"] as const).map(
    (mode): CheckSpec => ({
      id: `mode:${mode}`,
      title: `${mode} mode round trip`,
      required: true,
      run: async (c) =>
        c.target.crypto === undefined
          ? { status: "skip", reason: "no EncodingAESKey/appId configured" }
          : judged(await send(withMode(c.target, mode), buildMessage("text", { Content: `${mode} mode` }, c.header))),
    }),
  ),
];

/** How many checks the suite has (a run that stops early reports fewer results). */
export const CHECK_COUNT = CHECKS.length;

/**
 * Runs the conformance suite against a server URL; `onResult` reports each check as it finishes.
 * When the handshake gets no answer at all, or is refused for its signature, the run stops there: every other
 * check would fail alike.
 */
export async function runChecks(options: CheckOptions): Promise<CheckResult[]> {
  const context: Context = {
    target: options.target,
    header: { toUserName: "gh_wxdevcheck01", fromUserName: "oWxdevCheck000000000000000001" },
  };
  const results: CheckResult[] = [];
  for (const spec of CHECKS) {
    let outcome: Outcome;
    try {
      outcome = await spec.run(context);
    } catch (cause) {
      // A WxdevError is the server's fault (an answer that cannot be read); anything else is a bug in
      // wxdev, which must surface as one instead of passing for a failed check.
      if (!(cause instanceof WxdevError)) throw cause;
      outcome = { status: "fail", reason: cause.message };
    }
    const result: CheckResult = {
      id: spec.id,
      title: spec.title,
      required: spec.required,
      status: outcome.status,
      reason: outcome.reason,
      ...(outcome.stopped === undefined ? {} : { stopped: outcome.stopped }),
    };
    results.push(result);
    options.onResult?.(result);
    if (outcome.stopped !== undefined) break;
  }
  return results;
}

/** True when no required check failed. */
export function checksPassed(results: CheckResult[]): boolean {
  return results.every((result) => !(result.required && result.status === "fail"));
}
