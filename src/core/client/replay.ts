import type { Problem } from "../diagnose.js";
import { InputError } from "../errors.js";
import { type ExchangeRecord, queryOf } from "../exchange-record.js";
import type { Mode } from "../modes.js";
import { parseXml, type XmlRecord } from "../xml.js";
import { buildCallback } from "./callback.js";
import { exchange } from "./exchange.js";
import { handshake } from "./handshake.js";
import { diffReplies, type FieldChange } from "./reply-diff.js";
import { withMode, type Target } from "./target.js";

export type { FieldChange } from "./reply-diff.js";

/**
 * same: answered as recorded and WeChat would accept it; differs: the status or a reply field
 * changed; failed: answered as recorded, but WeChat would reject today's answer; skipped: the
 * record is not a callback from WeChat (unsigned, or neither a handshake nor a message), or holds no
 * answer of the app (the tunnel answered it itself).
 */
export type ReplayVerdict = "same" | "differs" | "failed" | "skipped";

/** One recorded exchange sent again, and how today's answer compares with the recorded one. */
export interface ReplayOutcome {
  /** Position in the recording, from 1. */
  index: number;
  kind: "handshake" | "message" | "other";
  /** The recorded message in plaintext (decrypted in safe mode); null for handshakes and skipped records. */
  message: XmlRecord | null;
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

/** A record made ready to send: what it is and, for a message, the plaintext and the mode it was sent in. */
type Prepared =
  | { kind: "handshake"; record: ExchangeRecord; echostr: string }
  | { kind: "message"; record: ExchangeRecord; mode: Mode; plaintext: string; message: XmlRecord }
  | { kind: "other"; record: ExchangeRecord; reason: string };

function plaintextOf(target: Target, body: string, where: string): { mode: Mode; plaintext: string } {
  if (target.crypto === undefined)
    throw new InputError(`${where} was recorded in safe mode: replaying it needs the EncodingAESKey and appId`, {
      hint: "set them as for simulate --mode safe (WXDEV_AES_KEY and WXDEV_APP_ID, or --aes-key and --app-id)",
    });
  try {
    const envelope = parseXml(body);
    const mode = envelope.MsgType === undefined ? "safe" : "compat";
    return { mode, plaintext: target.crypto.decrypt(String(envelope.Encrypt ?? "")) };
  } catch (cause) {
    throw new InputError(`${where}: cannot decrypt the recorded message: ${(cause as Error).message}`, {
      hint: "use the EncodingAESKey and appId of the account the traffic was recorded for",
      cause,
    });
  }
}

/** The message of a recorded POST in plaintext (decrypted when encrypted), or why it is not one from WeChat. */
function openMessage(record: ExchangeRecord, where: string, target: Target, encrypted: boolean): Prepared {
  let opened: { mode: Mode; plaintext: string };
  try {
    opened = encrypted ? plaintextOf(target, record.body, where) : { mode: "plain", plaintext: record.body };
  } catch (error) {
    // The server took it then, so WeChat sent it and the key is wrong; a refused one was a stranger's.
    if (record.status === 200 || target.crypto === undefined) throw error;
    return { kind: "other", record, reason: "refused when recorded and cannot be decrypted: not from WeChat" };
  }
  try {
    return { kind: "message", record, ...opened, message: parseXml(opened.plaintext) };
  } catch {
    return { kind: "other", record, reason: "the recorded body is not a WeChat message" };
  }
}

/** Reads a record as WeChat sent it; throws InputError (naming it) when an encrypted one cannot be opened. */
function prepare(record: ExchangeRecord, where: string, target: Target): Prepared {
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
  const echostr = query.get("echostr");
  if (record.method === "GET" && echostr !== null) return { kind: "handshake", record, echostr };
  if (record.method !== "POST") return { kind: "other", record, reason: `${record.method} is not a WeChat callback` };
  return openMessage(record, where, target, query.get("encrypt_type") === "aes");
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

function verdictOf(changed: boolean, today: { ok: boolean }): ReplayVerdict {
  if (changed) return "differs";
  return today.ok ? "same" : "failed";
}

async function replayMessage(
  target: Target,
  prepared: Extract<Prepared, { kind: "message" }>,
  index: number,
): Promise<ReplayOutcome> {
  const modeTarget = withMode(target, prepared.mode);
  const callback = buildCallback(modeTarget, prepared.plaintext);
  const result = await exchange(callback, { timeoutMs: target.timeoutMs, crypto: modeTarget.crypto });
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
    verdict: verdictOf(changed, result),
    status,
    changes,
    problems: result.problems,
    latencyMs: result.latencyMs,
  };
}

async function replayHandshake(
  target: Target,
  prepared: Extract<Prepared, { kind: "handshake" }>,
  index: number,
): Promise<ReplayOutcome> {
  const result = await handshake(target);
  const { record } = prepared;
  const answeredThen = record.status === 200 && record.reply === prepared.echostr;
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
    verdict: verdictOf(changed, result),
    status,
    changes,
    problems: result.problems,
    latencyMs: result.latencyMs,
  };
}

function skippedOutcome(prepared: Extract<Prepared, { kind: "other" }>, index: number): ReplayOutcome {
  const status = { recorded: prepared.record.status, today: 0 };
  return {
    index,
    kind: "other",
    message: null,
    verdict: "skipped",
    status,
    changes: [],
    problems: [],
    latencyMs: 0,
    skipped: prepared.reason,
  };
}

/**
 * Sends recorded exchanges again, one at a time in recording order, as WeChat would send them today
 * (freshly signed, re-encrypted in the mode they were recorded in), and compares each answer with
 * the recorded one. Every encrypted record is opened before anything is sent, so a wrong key is
 * bad input rather than a half-run replay.
 */
export async function replay(
  records: readonly ExchangeRecord[],
  target: Target,
  options: ReplayOptions = {},
): Promise<ReplayReport> {
  const source = options.source ?? "recording";
  const prepared = records.map((record, index) => prepare(record, `${source}: record #${index + 1}`, target));
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
