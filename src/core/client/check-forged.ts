/**
 * The forged requests `wxdev check` sends, in the mode checked: each must be refused. In plain mode a
 * wrong signature; in safe and compatible mode also a wrong msg_signature, a ciphertext for another
 * appId; in every mode a correctly signed request whose timestamp is an hour old (a captured one sent again).
 */
import { explainUnreachable } from "./diagnose.js";
import { buildMessage } from "../wire/messages.js";
import { makeNonce, makeTimestamp } from "../wire/signature.js";
import { buildCallback } from "./callback.js";
import type { CheckContext, CheckSpec, Outcome } from "./check-spec.js";
import { exchange, type ExchangeResult } from "./exchange.js";
import type { Forgery } from "./forgery.js";
import { httpRequest } from "./http.js";
import { targetUrl, type Target } from "./target.js";

/** How old the replayed request's timestamp is: far past any freshness window a server keeps (serve's is 300 s). */
export const STALE_SECONDS = 3_600;
/** The appId a foreign ciphertext names. */
const FOREIGN_APP_ID = "wx0000000000f0e1d2";

const bySignature = {
  id: "bad-signature-get",
  title: "URL validation with a bad signature is refused",
  required: true,
  run: async (c: CheckContext): Promise<Outcome> => {
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
} satisfies CheckSpec;

/** A forged POST: what it gets wrong, and what accepting it shows the server does not check. */
interface ForgedPost {
  id: string;
  title: string;
  forgery: Forgery;
  /** "does not check …": what the server skipped, with the fix. */
  unchecked: string;
  /** Accepting it makes the server not ready; otherwise it is a warning. */
  required: boolean;
}

/** Refused (any status but 200) passes; answered fails, or warns for a check that is not required. */
function judgeForged(result: ExchangeResult, post: ForgedPost): Outcome {
  const lost = result.problems.find((p) => p.code === "unreachable" || p.code === "timeout");
  if (lost !== undefined) return { status: "fail", reason: lost.message };
  if (result.status !== 200) return { status: "pass", reason: `HTTP ${result.status}` };
  const status = post.required ? "fail" : "warn";
  if (result.replyKind === "reply")
    return { status, reason: `the server answered a forged message: it ${post.unchecked}` };
  // 200 "success" looks like acceptance: nothing shows the request was checked at all.
  const body = result.replyKind === "none" ? "success/empty" : "a non-reply body";
  return {
    status,
    reason:
      `HTTP 200 with ${body} to a forged message (it ${post.unchecked}):` +
      " refuse it (HTTP 403) so forgeries are visibly rejected",
  };
}

function forgedPostCheck(post: ForgedPost): CheckSpec {
  return {
    id: post.id,
    title: post.title,
    required: post.required,
    run: async (c) => {
      const message = buildMessage("text", { Content: "forged" }, c.header);
      const callback = buildCallback(c.target, message, { forgery: post.forgery });
      return judgeForged(await exchange(callback, { timeoutMs: c.target.timeoutMs, crypto: c.target.crypto }), post);
    },
  };
}

const stale = (required: boolean): ForgedPost => ({
  id: "stale-timestamp",
  title: `a message signed ${STALE_SECONDS / 3600} hour ago is refused`,
  forgery: { ageSeconds: STALE_SECONDS },
  unchecked:
    `accepts a timestamp ${STALE_SECONDS} s old, so a captured request can be sent again:` +
    " refuse timestamps more than a few minutes from the clock",
  required,
});

/** Plain mode: the signature, and (a warning only: WeChat's samples do not check it) the timestamp's age. */
const PLAIN_FORGERIES: ForgedPost[] = [
  {
    id: "bad-signature-post",
    title: "a message with a bad signature is refused",
    forgery: { badSignature: true },
    unchecked: "does not check the signature (insecure)",
    required: true,
  },
  stale(false),
];

/** Safe and compatible mode: each signature alone, the appId inside the ciphertext, the timestamp's age. */
const ENCRYPTED_FORGERIES: ForgedPost[] = [
  {
    id: "bad-signature-post",
    title: "bad signature, right msg_signature: refused",
    forgery: { badSignature: true },
    unchecked: "does not check signature, only msg_signature: check both on every request",
    required: true,
  },
  {
    id: "bad-msg-signature",
    title: "bad msg_signature, right signature: refused",
    forgery: { badMsgSignature: true },
    unchecked: "does not check msg_signature over the Encrypt field (WXBizMsgCrypt's −40001)",
    required: true,
  },
  {
    id: "foreign-app-id",
    title: "a ciphertext for another appId is refused",
    forgery: { appId: FOREIGN_APP_ID },
    unchecked:
      `decrypted a message for appId ${FOREIGN_APP_ID}: compare the appId at its end with yours` +
      " (WXBizMsgCrypt's −40005)",
    required: true,
  },
  stale(true),
];

/** The forged requests for the target's mode, the forged URL validation first. */
export function forgedChecks(target: Target): CheckSpec[] {
  return [bySignature, ...(target.mode === "plain" ? PLAIN_FORGERIES : ENCRYPTED_FORGERIES).map(forgedPostCheck)];
}
