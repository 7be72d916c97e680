import type { ExchangeRecord } from "../wire/exchange-record.js";
import { messageSummary } from "../wire/message-tables.js";
import { messageKind } from "../wire/request-kind.js";
import type { ExchangeResult } from "./exchange.js";

/**
 * The record of an exchange wxdev made itself (the mock's push, a simulate): the request as sent (path with the
 * signed query, body) and the answer as received, so it is logged, recorded and inspected as any other.
 */
export function recordOfResult(result: ExchangeResult, time: number | Date = Date.now()): ExchangeRecord {
  // The callback's URL may be bare: its signed query is beside it.
  const url = new URL(result.request.url);
  for (const [name, value] of Object.entries(result.request.query))
    if (!url.searchParams.has(name)) url.searchParams.set(name, value);
  const { message } = result.request;
  const from = message.FromUserName;
  const content = messageSummary(message);
  const failure = result.problems.find((problem) => problem.code === "timeout" || problem.code === "unreachable");
  return {
    time: new Date(time).toISOString(),
    method: "POST",
    path: `${url.pathname}${url.search}`,
    body: result.request.body,
    status: result.status,
    reply: result.raw,
    latencyMs: result.latencyMs,
    kind: messageKind(message),
    ...(typeof from === "string" ? { openid: from } : {}),
    ...(content === undefined ? {} : { content }),
    encrypted: result.request.query.encrypt_type === "aes",
    ...(failure === undefined ? {} : { error: failure.message }),
  };
}
