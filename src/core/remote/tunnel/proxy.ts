import { Agent, createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Duplex } from "node:stream";
import { type ExchangeRecord, queryOf } from "../../wire/exchange-record.js";
import { describeRequest, KIND_MAX_BYTES } from "../../wire/request-kind.js";
import { ChannelClock } from "./channel-clock.js";
import { type Answer, readAll, send, TooLarge, type Upstream } from "./upstream.js";

/**
 * One request that came through the tunnel, and how it was answered: its body and reply are their first
 * EXCHANGE_TEXT_BYTES (`truncated` gives the sizes when larger); the reply is the tunnel's fixed refusal when it
 * answered itself (`error` says why).
 */
export type TunnelExchange = ExchangeRecord;

/** What the tunnel lets one client take (the defaults are TUNNEL_LIMITS). */
export interface TunnelLimits {
  /** Larger request bodies get 413, unread. */
  maxBodyBytes: number;
  /** A larger answer from the app is refused with 502 and a log line, not cut. */
  maxReplyBytes: number;
  /** Requests handled at once; more get 503 at once, their bodies unread. */
  maxConcurrent: number;
  /** Forwarded connections open at once; past it, the one idle (or receiving) the longest is closed. */
  maxChannels: number;
  /** A whole request (headers and body) must arrive within this of its first byte. */
  receiveTimeoutMs: number;
  /** A connection with no request under way closes after this. */
  idleTimeoutMs: number;
  /** The local app's deadline for its whole answer (then 504). */
  timeoutMs: number;
}

/**
 * Anyone with an account on the server can connect to the tunnel's port: these bounds keep what they can take of
 * the laptop within maxConcurrent × (maxBodyBytes + maxReplyBytes) of memory and maxChannels connections.
 * The body cap is nginx's default client_max_body_size: nothing nginx lets through is refused here, and WeChat's
 * bodies are a few KiB.
 */
export const TUNNEL_LIMITS: Readonly<TunnelLimits> = {
  maxBodyBytes: 1024 * 1024,
  maxReplyBytes: 8 * 1024 * 1024,
  maxConcurrent: 64,
  maxChannels: 128,
  receiveTimeoutMs: 10_000,
  idleTimeoutMs: 60_000,
  timeoutMs: 30_000,
};

/** How much of a body or reply an exchange carries (the log, --record): serve's own cap on a body. */
export const EXCHANGE_TEXT_BYTES = KIND_MAX_BYTES;

/** Where the laptop's app listens, and what the proxy tells of each exchange. */
export interface TunnelProxyOptions extends Partial<TunnelLimits> {
  localHost?: string;
  localPort: number;
  onExchange: (exchange: TunnelExchange) => void;
  /** Opens a safe-mode body's Encrypt, so the log can name its kind (the account's EncodingAESKey). */
  decrypt?: (encrypted: string) => string;
}

/** The bodies the tunnel answers with itself: fixed and short, as every server wxdev ships; the reason is logged. */
export const TUNNEL_REFUSALS = {
  413: "payload too large",
  502: "bad gateway",
  503: "service unavailable",
  504: "gateway timeout",
} as const;

type RefusalStatus = keyof typeof TUNNEL_REFUSALS;

/** The request's body, the answer sent back, and why the tunnel answered itself (if it did). */
interface Exchanged {
  body: Buffer;
  answer: Answer;
  error?: string;
}

/** The tunnel's own answer, and the reason for the log. */
function refusal(status: RefusalStatus, error: string): { answer: Answer; error: string } {
  const body = Buffer.from(TUNNEL_REFUSALS[status]);
  return { answer: { status, headers: { "content-type": "text/plain; charset=utf-8" }, body }, error };
}

/** Why the local app gave no answer (or one too large), as the tunnel's answer and a log line's words. */
function upstreamProblem(cause: unknown, where: string): { answer: Answer; error: string } {
  const error = cause as NodeJS.ErrnoException;
  if (cause instanceof TooLarge)
    return refusal(502, `the app on ${where} answered with more than ${cause.limit} bytes (the tunnel's cap)`);
  if (error.code === "ETIMEDOUT") return refusal(504, `the app on ${where} did not answer in time`);
  if (error.code === "ECONNREFUSED")
    return refusal(502, `nothing listens on ${where}: start your app there (or use --serve)`);
  return refusal(502, `the app on ${where} gave no answer: ${error.code ?? error.message}`);
}

/** The first EXCHANGE_TEXT_BYTES of a body as text. */
const text = (body: Buffer): string => body.subarray(0, EXCHANGE_TEXT_BYTES).toString("utf8");

/** The proxy's side the tunnel sees: a forwarded channel in, everything closed at the end. */
export interface TunnelProxy {
  accept(channel: Duplex): void;
  close(): void;
}

/**
 * The laptop's end of the tunnel: each forwarded channel is read as HTTP, the request (buffered: WeChat's are
 * small, and the body says what kind it is) passed to the local app over a keep-alive connection, its answer
 * sent back and reported. When nothing listens locally the tunnel answers 502 itself, and lives on. Every
 * resource a client can make it hold is bounded (TUNNEL_LIMITS).
 */
export function createTunnelProxy(options: TunnelProxyOptions): TunnelProxy {
  const limits = { ...TUNNEL_LIMITS, ...definedOnly(options) };
  const host = options.localHost ?? "127.0.0.1";
  const where = `${host}:${options.localPort}`;
  const agent = new Agent({ keepAlive: true, maxSockets: limits.maxConcurrent });
  const upstream: Upstream = { host, port: options.localPort, agent, ...limits };
  const channels = new Map<Duplex, ChannelClock>();
  let inFlight = 0;

  /** The app's answer (or the tunnel's own); undefined when the client left before its request was whole. */
  const answerTo = async (request: IncomingMessage): Promise<Exchanged | undefined> => {
    let body: Buffer;
    try {
      if (inFlight > limits.maxConcurrent)
        return { body: Buffer.alloc(0), ...refusal(503, `over ${limits.maxConcurrent} requests at once`) };
      body = await readAll(request, limits.maxBodyBytes);
    } catch (cause) {
      if (cause instanceof TooLarge)
        return { body: Buffer.alloc(0), ...refusal(413, `a body over ${limits.maxBodyBytes} bytes`) };
      return undefined; // the app never saw it, and there is no one to answer
    } finally {
      channels.get(request.socket)?.requestRead();
    }
    try {
      return { body, answer: await send(upstream, request, body) };
    } catch (cause) {
      return { body, ...upstreamProblem(cause, where) };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const time = new Date().toISOString();
    const exchanged = await answerTo(request);
    if (exchanged === undefined) return void request.socket.destroy();
    const { body, answer, error } = exchanged;
    if (answer.headers["content-length"] === undefined) answer.headers["content-length"] = answer.body.length;
    // A body left unread (too large, or over the concurrency cap) ends the connection once the answer is out:
    // nothing can follow that body, and a channel left open would keep receiving it into memory.
    const unread = answer.status === 413 || answer.status === 503;
    if (unread) {
      answer.headers.connection = "close";
      response.once("finish", () => setImmediate(() => request.socket.destroy()));
    }
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
    const method = request.method ?? "GET";
    const path = request.url ?? "/";
    const large = body.length > EXCHANGE_TEXT_BYTES || answer.body.length > EXCHANGE_TEXT_BYTES;
    options.onExchange({
      time,
      method,
      path,
      body: text(body),
      status: answer.status,
      reply: text(answer.body),
      latencyMs: performance.now() - started,
      ...describeRequest(method, queryOf(path), body, options.decrypt),
      ...(large ? { truncated: { body: body.length, reply: answer.body.length } } : {}),
      ...(error === undefined ? {} : { error }),
    });
  };

  const server = createServer((request, response) => {
    inFlight++;
    const clock = channels.get(request.socket);
    clock?.requestStarted();
    let done = false;
    const finished = (): void => {
      if (done) return;
      done = true;
      inFlight--;
      clock?.answered();
    };
    response.once("close", finished);
    handle(request, response).catch(() => response.destroy());
  });
  // A client that ends its side after the request (half-closed, as ssh -R passes it on) still gets the answer:
  // node:http's long-standing switch for it, undeclared in @types/node (the proxy's tests pin it).
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;

  /** Makes room for a new channel: closes the one idle or receiving the longest (never one awaiting the app). */
  const makeRoom = (): boolean => {
    let oldest: [Duplex, ChannelClock] | undefined;
    for (const entry of channels) {
      if (entry[1].state !== "waiting" && (oldest === undefined || entry[1].since < oldest[1].since)) oldest = entry;
    }
    if (oldest === undefined) return false;
    oldest[0].destroy();
    channels.delete(oldest[0]);
    return true;
  };

  return {
    accept: (channel) => {
      channel.on("error", () => channel.destroy());
      if (channels.size >= limits.maxChannels && !makeRoom()) return void channel.destroy();
      const clock = new ChannelClock(channel, { idleMs: limits.idleTimeoutMs, requestMs: limits.receiveTimeoutMs });
      channels.set(channel, clock);
      channel.once("close", () => channels.delete(channel));
      server.emit("connection", channel);
    },
    close: () => {
      for (const channel of channels.keys()) channel.destroy();
      agent.destroy();
    },
  };
}

/** The options a caller set, so an undefined one keeps its default. */
function definedOnly<T extends object>(options: T): Partial<T> {
  return Object.fromEntries(Object.entries(options).filter(([, value]) => value !== undefined)) as Partial<T>;
}
