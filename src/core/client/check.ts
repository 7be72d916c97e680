import { WxdevError } from "../support/errors.js";
import { CHECKED_EVENTS, isNotification, MESSAGE_TYPES } from "../wire/message-tables.js";
import { buildEvent, buildMessage } from "../wire/messages.js";
import { MODES, type Mode } from "../wire/modes.js";
import { buildCallback } from "./callback.js";
import { forgedChecks } from "./check-forged.js";
import { type CheckContext, type CheckResult, type CheckSpec, judged, type Outcome } from "./check-spec.js";
import { exchange, replyFingerprint, send } from "./exchange.js";
import { handshake, type HandshakeResult } from "./handshake.js";
import { withMode, type Target } from "./target.js";

export type { CheckResult, CheckStatus } from "./check-spec.js";

export interface CheckOptions {
  /** The server: its mode is the mode of every message check, and of the forged requests. */
  target: Target;
  /**
   * Also a round trip in each other mode (WeChat only ever sends the configured one): for a server that
   * answers every mode. An encrypting mode is skipped without the target's crypto.
   */
  allModes?: boolean;
  onResult?: (result: CheckResult) => void;
}

const CJK = "你好，世界！😀🎉 中文 emoji";

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
    // A reply is judged as WeChat would, and the judgement warns that WeChat ignores it.
    run: async (c) => judged(await send(c.target, buildEvent(event, {}, c.header))),
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

/** Why a failed handshake makes the rest pointless: nothing answered, or every signature refused (Tokens differ). */
function stopReason(result: HandshakeResult): string | undefined {
  if (result.problems.some((p) => p.code === "unreachable" || p.code === "timeout")) return "nothing answered";
  if (result.status === 401 || result.status === 403)
    return "the server refuses wxdev's signature, so every signed message would fail alike: make the Tokens match";
  return undefined;
}

const HANDSHAKE: CheckSpec = {
  id: "handshake",
  title: "URL validation answers echostr exactly",
  required: true,
  run: async (c) => {
    const result = await handshake(c.target);
    if (result.ok) return { status: "pass", reason: `echostr returned in ${Math.round(result.latencyMs)} ms` };
    return { status: "fail", reason: result.problems.map((p) => p.message).join("; "), stopped: stopReason(result) };
  },
};

/** The checks after the forged requests, in the target's mode. */
const MESSAGE_CHECKS: CheckSpec[] = [
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
];

/** A round trip in a mode other than the target's (`--all-modes`). */
function modeCheck(mode: Mode): CheckSpec {
  return {
    id: `mode:${mode}`,
    title: `${mode} mode round trip`,
    required: true,
    run: async (c) =>
      mode !== "plain" && c.target.crypto === undefined
        ? { status: "skip", reason: "no EncodingAESKey/appId configured" }
        : judged(await send(withMode(c.target, mode), buildMessage("text", { Content: `${mode} mode` }, c.header))),
  };
}

/** The modes whose round trips a run makes: the target's, and with `allModes` the others after it. */
export function checkedModes(options: Pick<CheckOptions, "target" | "allModes">): Mode[] {
  const mode = options.target.mode;
  return options.allModes ? [mode, ...MODES.filter((other) => other !== mode)] : [mode];
}

/** The suite for a target, in order: its forged requests and its round trips are those of its mode. */
function suite(options: Pick<CheckOptions, "target" | "allModes">): CheckSpec[] {
  const [, ...others] = checkedModes(options);
  return [HANDSHAKE, ...forgedChecks(options.target), ...MESSAGE_CHECKS, ...others.map(modeCheck)];
}

/** How many checks a run has (a run that stops early reports fewer results). */
export function checkCount(options: Pick<CheckOptions, "target" | "allModes">): number {
  return suite(options).length;
}

/**
 * Runs the conformance suite against a server URL; `onResult` reports each check as it finishes.
 * When the handshake gets no answer at all, or is refused for its signature, the run stops there: every other
 * check would fail alike.
 */
export async function runChecks(options: CheckOptions): Promise<CheckResult[]> {
  const context: CheckContext = {
    target: options.target,
    header: { toUserName: "gh_wxdevcheck01", fromUserName: "oWxdevCheck000000000000000001" },
  };
  const results: CheckResult[] = [];
  for (const spec of suite(options)) {
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
