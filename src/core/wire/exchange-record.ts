import { InputError } from "../support/errors.js";

/**
 * One exchange as a server wxdev runs saw it (serve, the tunnel, the mock's pushes): the request (path with its
 * query, body) and the answer. The one description of an exchange: the terminal's log line, `--json`, `--record`
 * (one JSON object per line, NDJSON, which `wxdev simulate --replay` reads back) and the inspector all read it.
 */
export interface ExchangeRecord {
  /** When the request arrived (ISO 8601). */
  time: string;
  method: string;
  /** Path and query exactly as received, e.g. `/wechat8013?signature=…&timestamp=…&nonce=…&openid=…`. */
  path: string;
  /** The request body as received (UTF-8); empty for GET. */
  body: string;
  /** The HTTP status the app answered with (502 when nothing listened locally). */
  status: number;
  /** The reply body (UTF-8). */
  reply: string;
  latencyMs: number;
  /** "handshake", a message's kind ("text", "event:CLICK"), "encrypted" (unopened); absent for other requests. */
  kind?: string;
  /** The sender (FromUserName), when the message was read. */
  openid?: string;
  /** What the message said, in short (its content, the event's key…), when it was read. */
  content?: string;
  /** The body was encrypted (safe or compat mode). */
  encrypted?: boolean;
  /** The server answered from its reply cache: WeChat's retry of a message it had handled already. */
  retry?: boolean;
  /**
   * Why the answer was a refusal or not the app's (a bad signature, nothing listened locally, a timeout…): for the
   * local log only, never sent.
   */
  error?: string;
  /** Set when the body or reply was too large to record whole: their sizes in bytes (the record holds a part). */
  truncated?: { body: number; reply: number };
}

/** The query of a request path as received (`/wechat8013?signature=…` → its parameters; none without `?`). */
export function queryOf(path: string): URLSearchParams {
  const mark = path.indexOf("?");
  return new URLSearchParams(mark === -1 ? "" : path.slice(mark + 1));
}

/** One NDJSON line (with its newline) for a record. */
export function formatRecord(record: ExchangeRecord): string {
  return `${JSON.stringify(record)}\n`;
}

/** Parses an NDJSON recording; blank lines are skipped, a bad line is named by its number. */
export function parseRecords(text: string, source = "recording"): ExchangeRecord[] {
  const records: ExchangeRecord[] = [];
  const lines = text.split("\n");
  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]?.trim();
    if (!line) continue;
    records.push(parseLine(line, `${source}:${index + 1}`));
  }
  return records;
}

function parseLine(line: string, where: string): ExchangeRecord {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    throw new InputError(`${where}: not a JSON line`, { hint: "record with wxdev tunnel --record FILE" });
  }
  const record = value as Partial<ExchangeRecord>;
  const fieldsOk =
    typeof record === "object" &&
    record !== null &&
    typeof record.method === "string" &&
    typeof record.path === "string" &&
    typeof record.body === "string" &&
    typeof record.status === "number" &&
    typeof record.reply === "string";
  if (!fieldsOk) {
    throw new InputError(`${where}: not an exchange record (needs method, path, body, status, reply)`, {
      hint: "record with wxdev tunnel --record FILE",
    });
  }
  return {
    time: typeof record.time === "string" ? record.time : "",
    method: record.method as string,
    path: record.path as string,
    body: record.body as string,
    status: record.status as number,
    reply: record.reply as string,
    latencyMs: typeof record.latencyMs === "number" ? record.latencyMs : 0,
    ...optionalText(record, "kind"),
    ...optionalText(record, "openid"),
    ...optionalText(record, "content"),
    ...(typeof record.encrypted === "boolean" ? { encrypted: record.encrypted } : {}),
    ...(typeof record.retry === "boolean" ? { retry: record.retry } : {}),
    ...optionalText(record, "error"),
    ...(isSizes(record.truncated) ? { truncated: record.truncated } : {}),
  };
}

type TextField = "kind" | "openid" | "content" | "error";

function optionalText(record: Partial<ExchangeRecord>, field: TextField): Partial<ExchangeRecord> {
  const value = record[field];
  return typeof value === "string" ? { [field]: value } : {};
}

function isSizes(value: unknown): value is { body: number; reply: number } {
  const sizes = value as { body?: unknown; reply?: unknown } | undefined;
  return typeof sizes?.body === "number" && typeof sizes.reply === "number";
}
