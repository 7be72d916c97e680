import type { ExchangeRecord } from "../../core/wire/exchange-record.js";
import type { Output } from "../output.js";
import { clipped, printable, printableJson } from "../terminal/printable.js";

/** What a log line (or --json object) quotes of a body, reply, content or reason, at most. */
export const LOG_TEXT_CHARS = 500;

let clockSecond = Number.NaN;
let clockText = "";

/** HH:MM:SS (local time) of an ISO time, formatted once per second rather than once per line. */
function clock(iso: string): string {
  const time = new Date(iso);
  const second = Math.floor(time.getTime() / 1000);
  if (second !== clockSecond) {
    clockSecond = second;
    clockText = Number.isNaN(second) ? "--:--:--" : time.toTimeString().slice(0, 8);
  }
  return clockText;
}

/** The path without its query (signatures, nonces: long and different each time). */
const bare = (path: string): string => path.split("?")[0] ?? path;

/**
 * The request-log line of every server wxdev runs (serve, tunnel, mock): time, status, what the request was (its
 * kind, else method and path; 🔒 when encrypted), what it said or why it was refused, latency. What came from the
 * request is bounded and printed with its control characters escaped: anyone who reaches the port writes it.
 */
export function exchangeLine(out: Output, exchange: ExchangeRecord): string {
  const status = exchange.status < 400 ? out.ok(String(exchange.status)) : out.bad(String(exchange.status));
  const what = exchange.kind ?? `${exchange.method} ${clipped(bare(exchange.path), 200)}`;
  const lock = exchange.encrypted ? " 🔒" : "";
  const said = [
    exchange.content !== undefined && JSON.stringify(clipped(exchange.content, LOG_TEXT_CHARS)),
    exchange.retry && "(retry: same reply, not handled again)",
  ]
    .filter(Boolean)
    .join(" ");
  const detail =
    exchange.error === undefined ? printable(said) : out.c.yellow(printable(clipped(exchange.error, LOG_TEXT_CHARS)));
  const latency = out.c.dim(`${exchange.latencyMs.toFixed(1)} ms`);
  const time = out.c.dim(clock(exchange.time));
  return `${time} ${status} ${printable(what)}${lock}${detail === "" ? "" : ` ${detail}`} ${latency}`;
}

/** The record as --json prints it: one line, its texts from the network clipped (a flood must not fill a disk). */
export function recordJson(exchange: ExchangeRecord, extra: Record<string, unknown> = {}): string {
  const clip = (text: string | undefined) => (text === undefined ? undefined : clipped(text, LOG_TEXT_CHARS));
  const { body, reply, content, error } = exchange;
  const latencyMs = Math.round(exchange.latencyMs * 10) / 10;
  const bounded = { ...exchange, body: clip(body), reply: clip(reply), content: clip(content), error: clip(error) };
  return printableJson(JSON.stringify({ ...extra, ...bounded, latencyMs }));
}
