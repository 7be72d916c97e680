import { InputError } from "../../../core/support/errors.js";
import { MESSAGE_TYPES } from "../../../core/wire/message-tables.js";
import { didYouMean } from "../../../core/support/suggest.js";
import { checkMessageFlags, messageFlagsSet, takesArguments, takesFlag } from "../../messages/message-flags.js";

/** simulate's own flags (the message fields' flags are read by name from the same object). */
export interface SimulateFlags {
  from?: string;
  to?: string;
  msgId?: string;
  file?: string;
  retry?: boolean;
  /** count, concurrency and duration arrive as numbers of at least 1 (commander's parsePositiveInt). */
  count?: number;
  concurrency?: number;
  duration?: number;
  /** A recording (NDJSON of exchange records, - for stdin) to send again instead of a message. */
  replay?: string;
}

/** How simulate sends: once, once with WeChat's retries, many times (load mode), or a recording again. */
export type SendPlan =
  | { kind: "once"; retry: boolean }
  | { kind: "load"; count?: number; duration?: number; concurrency: number }
  | { kind: "replay"; file: string };

/** --replay sends the recorded messages as they were: nothing that builds or repeats a message goes with it. */
function checkReplay(type: string | undefined, args: string[], flags: SimulateFlags): void {
  const values = flags as Readonly<Record<string, unknown>>;
  const extra = [
    type !== undefined && [type, ...args].join(" "),
    ...(["file", "from", "to", "msgId", "retry", "count", "duration"] as const).map(
      (key) => flags[key] !== undefined && `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`,
    ),
    ...messageFlagsSet(values).filter((name) => name !== "--msg-id"),
  ].filter(Boolean);
  if (extra.length > 0)
    throw new InputError(`--replay sends the recorded messages, so it takes no ${extra.join(", ")}`, {
      hint: "drop them, or drop --replay to send one message",
    });
}

function checkFile(type: string | undefined, flags: SimulateFlags): void {
  if (flags.file === undefined) return;
  const extra = [
    type !== undefined && "a message type",
    flags.from !== undefined && "--from",
    flags.to !== undefined && "--to",
    flags.msgId !== undefined && "--msg-id",
    ...messageFlagsSet(flags as Readonly<Record<string, unknown>>).filter((name) => name !== "--msg-id"),
  ].filter(Boolean);
  if (extra.length > 0)
    throw new InputError(`--file sends the file as written, so it takes no ${extra.join(", ")}`, {
      hint: "put those fields in the file, or drop --file",
    });
}

/** The words simulate takes as its type: every message type, and `event`. */
const SIMULATE_TYPES = [...MESSAGE_TYPES, "event"];

function checkType(type: string | undefined): void {
  if (type === undefined || SIMULATE_TYPES.includes(type)) return;
  throw new InputError(`unknown message type ${type}${didYouMean(type, SIMULATE_TYPES)}`, {
    hint: `use one of: ${SIMULATE_TYPES.join(", ")}`,
  });
}

const MAX_MSG_ID = 2n ** 64n - 1n;

/** A MsgId (or a job's MsgID) is an unsigned 64-bit number: digits only, at most 2^64−1. */
function checkMsgId(msgId: string | undefined): void {
  if (msgId === undefined) return;
  const hint = "MsgId is a 64-bit number, e.g. --msg-id 6054768590064713728";
  if (!/^\d{1,20}$/.test(msgId)) throw new InputError(`--msg-id ${msgId} is not a number`, { hint });
  if (BigInt(msgId) > MAX_MSG_ID)
    throw new InputError(`--msg-id ${msgId} is above 2^64−1 (18446744073709551615)`, { hint });
}

function checkMessage(type: string | undefined, args: string[], flags: SimulateFlags): void {
  checkFile(type, flags);
  checkType(type);
  if (type !== undefined && !takesArguments(type) && type !== "event" && args.length > 0) {
    throw new InputError(`unexpected arguments after ${type}: ${args.join(" ")}`, {
      hint: "the fields of this type are flags; see wxdev simulate --help",
    });
  }
  checkMsgId(flags.msgId);
  if (type !== undefined) {
    // An event's fields are those of the event named after it (`simulate event location_select --lat 1`).
    const typeKey = type === "event" ? `event:${args[0] ?? ""}` : type;
    checkMessageFlags(typeKey, flags as Readonly<Record<string, unknown>>);
  }
  if (flags.file === undefined && type === undefined)
    throw new InputError("missing message type", {
      hint: 'e.g. wxdev simulate text "hi", --file message.xml or --replay recording.ndjson',
    });
}

/**
 * Checks simulate's arguments and flags against each other (pure: nothing is read or sent) and
 * returns how to send. Building the message itself may still refuse a type or field.
 */
export function parseSimulateArgs(type: string | undefined, args: string[], flags: SimulateFlags): SendPlan {
  if (flags.replay !== undefined) {
    checkReplay(type, args, flags);
    return { kind: "replay", file: flags.replay };
  }
  const { count, duration } = flags;
  const load = count !== undefined || duration !== undefined;
  // A job event's MsgID names the job, not the message: every notification of a load run may carry it.
  const messageMsgId = flags.msgId !== undefined && !(type === "event" && takesFlag(`event:${args[0] ?? ""}`, "msgId"));
  if (load && (flags.retry || messageMsgId)) {
    throw new InputError(
      `load mode sends distinct MsgIds and does not retry: drop ${flags.retry ? "--retry" : "--msg-id"}`,
      { hint: "or drop --count/--duration to send one message" },
    );
  }
  checkMessage(type, args, flags);
  if (!load) return { kind: "once", retry: flags.retry === true };
  return { kind: "load", count, duration, concurrency: flags.concurrency ?? 10 };
}
