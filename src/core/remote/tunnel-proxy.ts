import {
  Agent,
  createServer,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
  type ServerResponse,
} from "node:http";
import type { Duplex } from "node:stream";
import { queryOf } from "../exchange-record.js";
import { requestKind } from "../request-kind.js";
import { IdleWatch } from "./idle-watch.js";

/** One request that came through the tunnel, and how it was answered. */
export interface TunnelExchange {
  time: Date;
  method: string;
  /** Path and query exactly as received. */
  path: string;
  /** "handshake", a message's kind ("text", "event:subscribe"…), "encrypted", or undefined for other requests. */
  kind?: string;
  status: number;
  latencyMs: number;
  /** The request body (UTF-8). */
  body: string;
  /** The reply body (UTF-8); the fixed refusal when the tunnel answered itself. */
  reply: string;
  /** Why the tunnel answered itself (nothing listens locally, a timeout…), for the local log only. */
  error?: string;
}

/** Where the laptop's app listens, and what the proxy tells of each exchange. */
export interface TunnelProxyOptions {
  localHost?: string;
  localPort: number;
  onExchange: (exchange: TunnelExchange) => void;
  /** Answer 504 when the local app has not answered within this long; default 30 s. */
  timeoutMs?: number;
  /** Opens a safe-mode body's Encrypt, so the log can name its kind (the account's EncodingAESKey). */
  decrypt?: (encrypted: string) => string;
  /** Requests larger than this are answered 413 (WeChat's are a few KiB); default 10 MiB. */
  maxBodyBytes?: number;
  /** Closes a connection whose client sends nothing this long while no answer is awaited; default 60 s. */
  idleTimeoutMs?: number;
}

/** The bodies the tunnel answers with itself: fixed and short, as every server wxdev ships; the reason is logged. */
export const TUNNEL_REFUSALS = { 413: "payload too large", 502: "bad gateway", 504: "gateway timeout" } as const;

/** Headers that describe one hop, not the message: never passed on (the body is re-sent with its length). */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "transfer-encoding",
  "te",
  "trailer",
  "upgrade",
  "content-length",
]);

function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers)) if (!HOP_BY_HOP.has(name)) kept[name] = value;
  return kept;
}

class TooLarge extends Error {}

function readAll(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) reject(new TooLarge());
      else chunks.push(chunk);
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** The request's body, the answer sent back, and why the tunnel answered itself (if it did). */
interface Exchanged {
  body: Buffer;
  answer: Answer;
  error?: string;
}

/** Why the local app gave no answer, in a log line's words. */
function upstreamProblem(error: NodeJS.ErrnoException, where: string): { status: 502 | 504; error: string } {
  if (error.code === "ETIMEDOUT") return { status: 504, error: `the app on ${where} did not answer in time` };
  if (error.code === "ECONNREFUSED")
    return { status: 502, error: `nothing listens on ${where}: start your app there (or use --serve)` };
  return { status: 502, error: `the app on ${where} gave no answer: ${error.code ?? error.message}` };
}

/** Where and how requests go on this machine. */
interface Upstream {
  host: string;
  port: number;
  agent: Agent;
  timeoutMs: number;
}

/** Sends the buffered request to the local app and reads its whole answer, within the deadline. */
function send(upstream: Upstream, request: IncomingMessage, body: Buffer, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...endToEnd(request.headers), "content-length": body.length };
    const { host, port, agent } = upstream;
    const outgoing = httpRequest({ host, port, method: request.method, path: request.url, headers, agent });
    // A deadline for the whole answer, not for silence: an app that drips a byte at a time is as late.
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      outgoing.destroy();
    }, upstream.timeoutMs);
    const fail = (error: NodeJS.ErrnoException): void => {
      clearTimeout(deadline);
      reject(late ? Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }) : error);
    };
    outgoing.on("response", (response) => {
      const kept = endToEnd(response.headers);
      // A HEAD answer has no body but says how long the GET's would be.
      if (request.method === "HEAD" && response.headers["content-length"] !== undefined)
        kept["content-length"] = response.headers["content-length"];
      readAll(response, Number.MAX_SAFE_INTEGER).then((reply) => {
        clearTimeout(deadline);
        resolve({ status: response.statusCode ?? 502, headers: kept, body: reply });
      }, fail);
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the app closed meanwhile: Node's advice is to send again on a fresh one.
      if (outgoing.reusedSocket && error.code === "ECONNRESET" && !retried && !late) {
        clearTimeout(deadline);
        send(upstream, request, body, true).then(resolve, reject);
      } else fail(error);
    });
    outgoing.end(body);
  });
}

/** The tunnel's own answer when the app gave none (or the body was too large), and the reason for the log. */
function refusal(cause: unknown, where: string, maxBodyBytes: number): { answer: Answer; error: string } {
  const problem =
    cause instanceof TooLarge
      ? { status: 413 as const, error: `a body over ${maxBodyBytes} bytes` }
      : upstreamProblem(cause as NodeJS.ErrnoException, where);
  const body = Buffer.from(TUNNEL_REFUSALS[problem.status]);
  return {
    answer: { status: problem.status, headers: { "content-type": "text/plain; charset=utf-8" }, body },
    error: problem.error,
  };
}

/** The proxy's side the tunnel sees: a forwarded channel in, everything closed at the end. */
export interface TunnelProxy {
  accept(channel: Duplex): void;
  close(): void;
}

/**
 * The laptop's end of the tunnel: each forwarded channel is read as HTTP, the request (buffered: WeChat's are
 * small, and the body says what kind it is) passed to the local app over a keep-alive connection, its answer
 * sent back and reported. When nothing listens locally the tunnel answers 502 itself, and lives on.
 */
export function createTunnelProxy(options: TunnelProxyOptions): TunnelProxy {
  const host = options.localHost ?? "127.0.0.1";
  const where = `${host}:${options.localPort}`;
  const maxBodyBytes = options.maxBodyBytes ?? 10 * 1024 * 1024;
  const agent = new Agent({ keepAlive: true, maxSockets: 256 });
  const upstream: Upstream = { host, port: options.localPort, agent, timeoutMs: options.timeoutMs ?? 30_000 };
  const idleTimeoutMs = options.idleTimeoutMs ?? 60_000;
  const channels = new Set<Duplex>();

  const watches = new WeakMap<Duplex, IdleWatch>();

  /** The app's answer (or the tunnel's own); undefined when the client left before its request was whole. */
  const answerTo = async (request: IncomingMessage): Promise<Exchanged | undefined> => {
    let body: Buffer;
    try {
      body = await readAll(request, maxBodyBytes);
    } catch (cause) {
      if (cause instanceof TooLarge) return { body: Buffer.alloc(0), ...refusal(cause, where, maxBodyBytes) };
      return undefined; // the app never saw it, and there is no one to answer
    }
    try {
      const sent = send(upstream, request, body);
      return { body, answer: await (watches.get(request.socket)?.during(sent) ?? sent) };
    } catch (cause) {
      return { body, ...refusal(cause, where, maxBodyBytes) };
    }
  };

  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const started = performance.now();
    const time = new Date();
    const exchanged = await answerTo(request);
    if (exchanged === undefined) return void request.socket.destroy();
    const { body, answer, error } = exchanged;
    if (answer.headers["content-length"] === undefined) answer.headers["content-length"] = answer.body.length;
    response.writeHead(answer.status, answer.headers);
    response.end(answer.body);
    const method = request.method ?? "GET";
    const path = request.url ?? "/";
    const text = body.toString("utf8");
    options.onExchange({
      time,
      method,
      path,
      kind: requestKind(method, queryOf(path), text, options.decrypt),
      status: answer.status,
      latencyMs: performance.now() - started,
      body: text,
      reply: answer.body.toString("utf8"),
      ...(error === undefined ? {} : { error }),
    });
  };

  const server = createServer((request, response) => {
    handle(request, response).catch(() => response.destroy());
  });
  // A client that ends its side after the request (half-closed, as ssh -R passes it on) still gets the answer:
  // node:http's long-standing switch for it, undeclared in @types/node (the proxy's tests pin it).
  (server as typeof server & { httpAllowHalfOpen: boolean }).httpAllowHalfOpen = true;
  return {
    accept: (channel) => {
      channels.add(channel);
      watches.set(channel, new IdleWatch(channel, idleTimeoutMs));
      channel.on("error", () => channel.destroy());
      channel.once("close", () => channels.delete(channel));
      server.emit("connection", channel);
    },
    close: () => {
      for (const channel of channels) channel.destroy();
      agent.destroy();
    },
  };
}
