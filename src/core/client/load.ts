import { Pool } from "undici";
import { buildMessage } from "../wire/messages.js";
import type { XmlRecord } from "../wire/xml.js";
import { send, type ExchangeResult } from "./exchange.js";
import { WECHAT_TIMEOUT_MS, type Target } from "./target.js";

export interface LoadOptions {
  /** The server; its deadline is each answer's (a load run may allow more than WeChat's 5 s). */
  target: Target;
  concurrency: number;
  /** Stop after this many messages… */
  count?: number;
  /** …or after this many seconds. */
  durationS?: number;
  /** The message for each request, freshly made (its own MsgId); default: a numbered text. */
  message?: () => XmlRecord | string;
  onProgress?: (done: number, total: number | undefined) => void;
  /**
   * Stops the run early (Ctrl-C): nothing more is sent, answers still on their way are dropped,
   * the report covers what was measured.
   */
  signal?: AbortSignal;
}

/** The kinds of answer a load run tells apart. */
export interface ReplyBreakdown {
  validXml: number;
  success: number;
  empty: number;
  invalid: number;
  cryptoFailures: number;
  timeouts: number;
  networkErrors: number;
  httpErrors: number;
}

export interface LoadReport {
  /** True when `signal` stopped the run before its count or duration. */
  interrupted: boolean;
  sent: number;
  seconds: number;
  requestsPerSecond: number;
  latencyMs: { p50: number; p90: number; p99: number; max: number };
  /** Answers slower than WeChat's 5 s (each a retry and an error screen for a real user). */
  over5s: number;
  statusCodes: Record<string, number>;
  replies: ReplyBreakdown;
}

function classify(result: ExchangeResult, replies: ReplyBreakdown): void {
  if (result.ok && result.replyKind === "reply") {
    replies.validXml++;
    return;
  }
  const codes = new Set(result.problems.map((problem) => problem.code));
  if (codes.has("timeout")) replies.timeouts++;
  else if (codes.has("unreachable")) replies.networkErrors++;
  else if (codes.has("status")) replies.httpErrors++;
  else if (codes.has("decrypt")) replies.cryptoFailures++;
  else if (!result.ok) replies.invalid++;
  else if (result.replyKind === "reply") replies.validXml++;
  else if ((result.decrypted ?? result.raw).trim() === "") replies.empty++;
  else replies.success++;
}

function percentile(sorted: Float64Array, fraction: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.ceil(fraction * sorted.length) - 1)] ?? 0;
}

/** Sends messages with distinct MsgIds, each freshly signed, from `concurrency` keep-alive connections. */
export async function runLoad(options: LoadOptions): Promise<LoadReport> {
  if (options.count === undefined && options.durationS === undefined)
    throw new Error("runLoad needs count or durationS");
  const pool = new Pool(new URL(options.target.url).origin, { connections: options.concurrency });
  const latencies: number[] = [];
  const statusCodes: Record<string, number> = {};
  const replies: ReplyBreakdown = {
    validXml: 0,
    success: 0,
    empty: 0,
    invalid: 0,
    cryptoFailures: 0,
    timeouts: 0,
    networkErrors: 0,
    httpErrors: 0,
  };
  const started = performance.now();
  const deadline = options.durationS === undefined ? Infinity : started + options.durationS * 1000;
  let issued = 0;
  let done = 0;
  const header = { toUserName: "gh_wxdevload001" };
  const { signal } = options;

  const worker = async (): Promise<void> => {
    while (
      (options.count === undefined || issued < options.count) &&
      performance.now() < deadline &&
      signal?.aborted !== true
    ) {
      issued++;
      const message = options.message?.() ?? buildMessage("text", { Content: `load ${issued}` }, header);
      const result = await send(options.target, message, { dispatcher: pool });
      if (signal?.aborted) return; // cut short by the stop, not an answer to measure
      latencies.push(result.latencyMs);
      const status = result.status === 0 ? "none" : String(result.status);
      statusCodes[status] = (statusCodes[status] ?? 0) + 1;
      classify(result, replies);
      done++;
      options.onProgress?.(done, options.count);
    }
  };
  // Destroying the pool ends the requests on their way at once (close would wait for their answers).
  const stop = (): void => void pool.destroy();
  signal?.addEventListener("abort", stop, { once: true });
  try {
    await Promise.all(Array.from({ length: options.concurrency }, worker));
  } finally {
    signal?.removeEventListener("abort", stop);
    await (signal?.aborted ? pool.destroy() : pool.close());
  }
  const seconds = (performance.now() - started) / 1000;
  const sorted = Float64Array.from(latencies).sort();
  return {
    interrupted: signal?.aborted === true,
    sent: done,
    seconds,
    requestsPerSecond: done / seconds,
    latencyMs: {
      p50: percentile(sorted, 0.5),
      p90: percentile(sorted, 0.9),
      p99: percentile(sorted, 0.99),
      max: sorted[sorted.length - 1] ?? 0,
    },
    over5s: latencies.filter((latency) => latency > WECHAT_TIMEOUT_MS).length,
    statusCodes,
    replies,
  };
}
