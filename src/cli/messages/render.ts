import type { ExchangeResult } from "../../core/client/exchange.js";
import type { HandshakeResult } from "../../core/client/handshake.js";
import type { Problem } from "../../core/wire/problem.js";
import { messageSummary, replySummary } from "../../core/wire/message-tables.js";
import { FAILURE_NOTICE } from "../../core/wire/message-types.js";
import { IGNORED_REPLY } from "../../core/wire/reply.js";
import type { XmlRecord } from "../../core/wire/xml.js";
import type { Output } from "../output.js";

function short(id: unknown): string {
  const text = String(id ?? "?");
  return text.length > 12 ? `${text.slice(0, 10)}…` : text;
}

/** A one-line summary of a message or reply: its type and what its declared summary field says. */
export function summarise(record: XmlRecord, direction: "message" | "reply"): string {
  const text = direction === "message" ? messageSummary(record) : replySummary(record);
  if (record.MsgType === "event") return `event ${String(record.Event)}${text ? ` (${text})` : ""}`;
  const type =
    typeof record.MsgType === "string" && record.MsgType !== "" ? record.MsgType : `${direction} without MsgType`;
  return text === undefined ? type : `${type}: ${JSON.stringify(text)}`;
}

/** Problems as indented lines, errors red and warnings yellow. */
export function renderProblems(out: Output, problems: Problem[]): void {
  for (const problem of problems) {
    const label = problem.severity === "error" ? out.bad("error") : out.c.yellow("warning");
    out.line(`   ${label} ${problem.message}`);
  }
}

/** Chat-style transcript of one exchange: who said what, the reply, latency and every problem. */
export function renderExchange(out: Output, result: ExchangeResult, mode: string): void {
  const message = result.request.message;
  const lock = mode === "plain" ? "" : ` 🔒 ${mode}`;
  const from = out.c.bold(short(message.FromUserName));
  out.line(`${out.c.cyan("→")} ${from} ${summarise(message, "message")}${out.c.dim(lock)}`);
  const timing = out.c.dim(`(HTTP ${result.status || "—"}, ${Math.round(result.latencyMs)} ms)`);
  if (result.reply !== null) {
    out.line(
      `${out.c.magenta("←")} ${out.c.bold(short(result.reply.FromUserName))} ` +
        `${summarise(result.reply, "reply")} ${timing}`,
    );
  } else if (result.replyKind === "none") {
    out.line(`${out.c.magenta("←")} ${out.c.dim("(no reply: success/empty)")} ${timing}`);
  } else {
    const raw = result.raw.trim();
    const shown =
      raw === "" ? out.c.dim("(nothing)") : JSON.stringify(raw.length > 120 ? `${raw.slice(0, 120)}…` : raw);
    out.line(`${out.c.magenta("←")} ${shown} ${timing}`);
  }
  renderProblems(out, result.problems);
  out.line(`   ${verdict(out, result)}`);
}

/** WeChat's verdict on an answer: accepted, ignored (a reply to a notification), or rejected. */
function verdict(out: Output, result: ExchangeResult): string {
  if (!result.ok) return `${out.bad("✗")} WeChat would reject this answer: the user sees "${FAILURE_NOTICE}"`;
  if (result.problems.some((problem) => problem.code === IGNORED_REPLY))
    return `${out.c.yellow("!")} WeChat ignores this answer: nobody sees a reply to a notification`;
  return `${out.ok("✓")} WeChat would accept this answer`;
}

/** The JSON shape of one exchange (simulate --json). */
export function exchangeJson(result: ExchangeResult): Record<string, unknown> {
  return {
    ok: result.ok,
    status: result.status,
    latencyMs: Math.round(result.latencyMs * 10) / 10,
    request: result.request,
    reply: result.reply,
    raw: result.raw,
    ...(result.decrypted === undefined ? {} : { decrypted: result.decrypted }),
    problems: result.problems,
  };
}

/** Transcript of one handshake: the GET, the answer, every problem and the verdict; `through` names a proxy. */
export function renderHandshake(out: Output, result: HandshakeResult, options: { through?: string } = {}): void {
  out.line(`${out.c.cyan("→")} GET ${result.url}`);
  const body = result.body.length > 120 ? `${result.body.slice(0, 120)}…` : result.body;
  out.line(
    `${out.c.magenta("←")} HTTP ${result.status || "—"} ${JSON.stringify(body)} ` +
      out.c.dim(`(${Math.round(result.latencyMs)} ms)`),
  );
  renderProblems(out, result.problems);
  const through = options.through === undefined ? "" : ` through ${options.through}`;
  out.line(
    result.ok
      ? `   ${out.ok("✓")} the server answers the handshake${through}: echostr exactly,` +
          " the platform would accept this URL"
      : `   ${out.bad("✗")} the platform would say the URL/Token check failed (配置失败)`,
  );
}

/** The JSON shape of one handshake (handshake --json, demo --json, deploy --check --json). */
export function handshakeJson(result: HandshakeResult): Record<string, unknown> {
  return { ...result, latencyMs: Math.round(result.latencyMs * 10) / 10 };
}
