import type { ExchangeRecord } from "../wire/exchange-record.js";
import { messageKind } from "../wire/request-kind.js";
import { messageSummary } from "../wire/message-tables.js";
import { type InspectKeys, openRecordRequest } from "./open.js";

/** How many exchanges the inspector keeps (the oldest goes first): its memory is bounded under any flood. */
export const INSPECT_KEEP = 500;

/** How much of a body or reply the inspector keeps, in characters (WeChat's are a few KiB). */
export const INSPECT_TEXT_CHARS = 16 * 1024;

/** Where an exchange was seen: serve's callback, the tunnel, the mock's push to the app, a recording, a replay. */
export type ExchangeSource = "serve" | "tunnel" | "push" | "phone" | "recording" | "replay";

/** One exchange as the list shows it. */
export interface ExchangeSummary {
  id: number;
  source: ExchangeSource;
  time: string;
  method: string;
  /** The path without its query. */
  path: string;
  kind?: string;
  encrypted: boolean;
  openid?: string;
  content?: string;
  status: number;
  latencyMs: number;
  error?: string;
  /** Answered from the server's reply cache: not handled again. */
  retry: boolean;
  /** What WeChat's deliveries of one message share: `MsgId`, or FromUserName + CreateTime for events. */
  group?: string;
}

/** A kept exchange: its record (texts clipped to INSPECT_TEXT_CHARS) and its summary. */
export interface InspectEntry {
  summary: ExchangeSummary;
  record: ExchangeRecord;
}

function clipRecord(record: ExchangeRecord): ExchangeRecord {
  if (record.body.length <= INSPECT_TEXT_CHARS && record.reply.length <= INSPECT_TEXT_CHARS) return record;
  const truncated = record.truncated ?? {
    body: Buffer.byteLength(record.body),
    reply: Buffer.byteLength(record.reply),
  };
  return {
    ...record,
    body: record.body.slice(0, INSPECT_TEXT_CHARS),
    reply: record.reply.slice(0, INSPECT_TEXT_CHARS),
    truncated,
  };
}

function summarise(id: number, source: ExchangeSource, record: ExchangeRecord, keys: InspectKeys): ExchangeSummary {
  const opened = openRecordRequest(record, keys);
  const message = opened.message;
  const msgId = message?.MsgId ?? message?.MsgID;
  const from = typeof message?.FromUserName === "string" ? message.FromUserName : undefined;
  const group =
    typeof msgId === "string" && msgId !== ""
      ? `MsgId ${msgId}`
      : from !== undefined && typeof message?.CreateTime === "string"
        ? `${from} @ ${message.CreateTime}`
        : undefined;
  return {
    id,
    source,
    time: record.time,
    method: record.method,
    path: record.path.split("?")[0] ?? record.path,
    kind: message === undefined ? record.kind : messageKind(message),
    encrypted: record.encrypted === true || opened.ciphertext !== undefined,
    openid: from ?? record.openid,
    content: message === undefined ? record.content : messageSummary(message),
    status: record.status,
    latencyMs: Math.round(record.latencyMs * 10) / 10,
    ...(record.error === undefined ? {} : { error: record.error }),
    retry: record.retry === true,
    ...(group === undefined ? {} : { group }),
  };
}

/** The last INSPECT_KEEP exchanges, newest last, and who watches for new ones. */
export class ExchangeLog {
  private readonly entries: InspectEntry[] = [];
  private readonly watchers = new Set<(entry: InspectEntry) => void>();
  private nextId = 1;

  constructor(
    private readonly keys: InspectKeys,
    readonly keep = INSPECT_KEEP,
  ) {}

  /** Keeps an exchange (dropping the oldest past `keep`) and tells the watchers. */
  add(record: ExchangeRecord, source: ExchangeSource): InspectEntry {
    const clipped = clipRecord(record);
    const entry = { record: clipped, summary: summarise(this.nextId++, source, clipped, this.keys) };
    this.entries.push(entry);
    if (this.entries.length > this.keep) this.entries.splice(0, this.entries.length - this.keep);
    for (const watcher of this.watchers) watcher(entry);
    return entry;
  }

  /** Every kept exchange, newest first. */
  list(): InspectEntry[] {
    return [...this.entries].reverse();
  }

  get(id: number): InspectEntry | undefined {
    // Ids only grow: a binary search would do, but `keep` is small.
    return this.entries.find((entry) => entry.summary.id === id);
  }

  /** Calls `watcher` for each exchange added from now on; returns how to stop. */
  watch(watcher: (entry: InspectEntry) => void): () => void {
    this.watchers.add(watcher);
    return () => this.watchers.delete(watcher);
  }
}
