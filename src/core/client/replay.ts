import type { Problem } from "../wire/problem.js";
import { InputError } from "../support/errors.js";
import type { ExchangeRecord } from "../wire/exchange-record.js";
import { parseXml, type XmlRecord } from "../wire/xml.js";
import { buildCallback } from "./callback.js";
import { exchange } from "./exchange.js";
import { isGenuine } from "./forgery.js";
import { handshake } from "./handshake.js";
import { checkToken, type Prepared, prepareRecord } from "./replay-record.js";
import { diffReplies, type FieldChange } from "./reply-diff.js";
import { withMode, type Target } from "./target.js";

export type { FieldChange } from "./reply-diff.js";

/**
 * same: answered as recorded and WeChat would accept it (or, for a forgery or a body that is no message,
 * refused as recorded); differs: the status or a reply field changed; failed: answered as recorded, but
 * WeChat would reject today's answer; skipped: the record is not a callback (unsigned, or neither a
 * handshake nor a message), or holds no answer of the app (the tunnel answered it itself).
 */
export type ReplayVerdict = "same" | "differs" | "failed" | "skipped";

/** One recorded exchange sent again, and how today's answer compares with the recorded one. */
export interface ReplayOutcome {
  /** Position in the recording, from 1. */
  index: number;
  kind: "handshake" | "message" | "other";
  /** The recorded message in plaintext (decrypted in safe mode); null for handshakes, skipped records, non-XML. */
  message: XmlRecord | null;
  /** Sent with the recording's faults again (a signature that did not verify, another appId, an old timestamp). */
  forged: boolean;
  verdict: ReplayVerdict;
  /** The status recorded and today's (0 when nothing answered). */
  status: { recorded: number; today: number };
  /** Reply fields that changed (CreateTime and the encryption envelope ignored). */
  changes: FieldChange[];
  /** What is wrong with today's answer, judged as simulate judges it. */
  problems: Problem[];
  /** Why the record was skipped. */
  skipped?: string;
  latencyMs: number;
  /** Today's answer as received, and decrypted when it was encrypted (absent when skipped). */
  answer?: { raw: string; decrypted?: string };
}

/** What a replay found: every outcome in recording order, the counts, and whether all were the same. */
export interface ReplayReport {
  outcomes: ReplayOutcome[];
  counts: Record<ReplayVerdict, number>;
  /** True when every replayed record got the recorded answer, and WeChat would accept each. */
  ok: boolean;
  /** The signal stopped the replay early: the outcomes cover the records answered so far. */
  interrupted: boolean;
}

export interface ReplayOptions {
  /** Named in errors about a record, e.g. the file name. */
  source?: string;
  /** Called as each record is answered, in order. */
  onOutcome?: (outcome: ReplayOutcome) => void;
  /** Stops the replay after the record in flight (Ctrl-C). */
  signal?: AbortSignal;
}

/** The recorded reply in plaintext: decrypted when it was encrypted (its envelope is not compared). */
function recordedReply(target: Target, prepared: Extract<Prepared, { kind: "message" }>): string {
  const reply = prepared.record.reply;
  if (prepared.mode === "plain" || target.crypto === undefined || !reply.includes("<Encrypt>")) return reply;
  try {
    return target.crypto.decrypt(String(parseXml(reply).Encrypt ?? ""));
  } catch {
    return reply;
  }
}

/**
 * A forgery, or a body that is no message, should be refused: refused as recorded is the same. Anything
 * else must also be an answer WeChat accepts today.
 */
function verdictOf(changed: boolean, today: { ok: boolean }, refusalExpected: boolean): ReplayVerdict {
  if (changed) return "differs";
  return today.ok || refusalExpected ? "same" : "failed";
}

async function replayMessage(
  target: Target,
  prepared: Extract<Prepared, { kind: "message" }>,
  index: number,
): Promise<ReplayOutcome> {
  const modeTarget = withMode(target, prepared.mode);
  const outerBody = prepared.mode === "plain" ? undefined : prepared.record.body;
  const callback = buildCallback(modeTarget, prepared.plaintext, {
    forgery: prepared.forgery,
    outerBody,
    parsed: prepared.message ?? {},
  });
  const result = await exchange(callback, { timeoutMs: target.timeoutMs, crypto: modeTarget.crypto });
  const forged = !isGenuine(prepared.forgery);
  const status = { recorded: prepared.record.status, today: result.status };
  const changes =
    status.recorded === status.today
      ? diffReplies(recordedReply(target, prepared), result.decrypted ?? result.raw)
      : [];
  const changed = status.recorded !== status.today || changes.length > 0;
  return {
    index,
    kind: "message",
    message: prepared.message,
    forged,
    verdict: verdictOf(changed, result, forged || prepared.message === null),
    status,
    changes,
    problems: result.problems,
    latencyMs: result.latencyMs,
    answer: { raw: result.raw, ...(result.decrypted === undefined ? {} : { decrypted: result.decrypted }) },
  };
}

async function replayHandshake(
  target: Target,
  prepared: Extract<Prepared, { kind: "handshake" }>,
  index: number,
): Promise<ReplayOutcome> {
  const { record, echostr, forgery } = prepared;
  const result = await handshake(target, { echostr, badSignature: forgery.badSignature });
  const answeredThen = record.status === 200 && record.reply === echostr;
  const status = { recorded: record.status, today: result.status };
  const changes: FieldChange[] =
    status.recorded === status.today && answeredThen !== result.ok
      ? [{ field: "body", before: answeredThen ? "echostr" : record.reply, after: result.ok ? "echostr" : result.body }]
      : [];
  const changed = status.recorded !== status.today || changes.length > 0;
  return {
    index,
    kind: "handshake",
    message: null,
    forged: forgery.badSignature === true,
    verdict: verdictOf(changed, result, forgery.badSignature === true),
    status,
    changes,
    problems: result.problems,
    latencyMs: result.latencyMs,
    answer: { raw: result.body },
  };
}

function skippedOutcome(prepared: Extract<Prepared, { kind: "other" }>, index: number): ReplayOutcome {
  const status = { recorded: prepared.record.status, today: 0 };
  return {
    index,
    kind: "other",
    message: null,
    forged: false,
    verdict: "skipped",
    status,
    changes: [],
    problems: [],
    latencyMs: 0,
    skipped: prepared.reason,
  };
}

/**
 * Sends one recorded exchange again as `replay` does, its message replaced by `edited` when given (the plaintext
 * XML, sealed afresh in the recorded mode), and compares the answer with the recorded one.
 */
export async function replayOne(
  record: ExchangeRecord,
  target: Target,
  options: { edited?: string; index?: number } = {},
): Promise<ReplayOutcome> {
  const index = options.index ?? 1;
  const prepared = prepareRecord(record, `record #${index}`, target);
  if (options.edited !== undefined) {
    if (prepared.kind !== "message")
      throw new InputError("only a message can be edited and replayed", { hint: "pick a POST of a message" });
    let message: XmlRecord | null;
    try {
      message = parseXml(options.edited);
    } catch {
      message = null;
    }
    return replayMessage(target, { ...prepared, plaintext: options.edited, message }, index);
  }
  if (prepared.kind === "message") return replayMessage(target, prepared, index);
  if (prepared.kind === "handshake") return replayHandshake(target, prepared, index);
  return skippedOutcome(prepared, index);
}

/**
 * Sends recorded exchanges again, one at a time in recording order, as they were sent then: freshly
 * signed (or, where the recorded signature did not verify with the Token, signed wrongly again), the
 * timestamp as far behind the clock as it was, an encrypted body byte for byte but its Encrypt element
 * (re-encrypted, for the appId it named). Each answer is compared with the recorded one. Every encrypted
 * record is opened before anything is sent, so a wrong key or Token is bad input rather than a half-run replay.
 */
export async function replay(
  records: readonly ExchangeRecord[],
  target: Target,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const source = options.source ?? "recording";
  const prepared = records.map((record, index) => prepareRecord(record, `${source}: record #${index + 1}`, target));
  checkToken(prepared, source);
  if (!prepared.some((item) => item.kind !== "other"))
    throw new InputError(`${source} holds no handshake or message from WeChat to replay`, {
      hint: "record real traffic with wxdev tunnel --record FILE",
    });
  const outcomes: ReplayOutcome[] = [];
  const counts: Record<ReplayVerdict, number> = { same: 0, differs: 0, failed: 0, skipped: 0 };
  for (const [position, item] of prepared.entries()) {
    if (options.signal?.aborted) break;
    const index = position + 1;
    const outcome =
      item.kind === "message"
        ? await replayMessage(target, item, index)
        : item.kind === "handshake"
          ? await replayHandshake(target, item, index)
          : skippedOutcome(item, index);
    outcomes.push(outcome);
    counts[outcome.verdict]++;
    options.onOutcome?.(outcome);
  }
  const interrupted = outcomes.length < prepared.length;
  return { outcomes, counts, ok: !interrupted && counts.differs === 0 && counts.failed === 0, interrupted };
}
