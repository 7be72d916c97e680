import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { isIP } from "node:net";
import type { Target } from "../client/target.js";
import { InputError, WxdevError } from "../support/errors.js";
import { BodyTooLarge, readBody } from "../support/http-body.js";
import { listen } from "../support/listen.js";
import { formatRecord } from "../wire/exchange-record.js";
import { explainExchange } from "./detail.js";
import type { InspectKeys } from "./open.js";
import { servePage } from "../support/web-assets.js";
import type { ExchangeLog, InspectEntry } from "./store.js";

/** What the page is told about the inspector itself. */
export interface InspectInfo {
  /** What it watches: `wxdev serve`, `wxdev tunnel s8013`, a recording's file name… */
  title: string;
  /** How many exchanges it keeps. */
  keep: number;
  /** Where Replay sends (the callback URL), when it can. */
  replayTo?: string;
  /** Why Replay cannot be offered, when it cannot. */
  noReplay?: string;
  mode: string;
  /** The Token, masked (or "(not set)"). */
  token: string;
}

export interface InspectorOptions {
  /** A loopback address (default 127.0.0.1): the page shows users' messages, so only this machine may open it. */
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  log: ExchangeLog;
  keys: InspectKeys;
  /** Where Replay sends, signed and sealed as WeChat does; none: replays are refused with `info.noReplay`. */
  target?: Target;
  info: Omit<InspectInfo, "keep" | "replayTo">;
}

export interface RunningInspector {
  url: string;
  port: number;
  close(): Promise<void>;
}

/** Pages open at once that a live stream is kept for; more get 503 (each one is a socket and a watcher). */
export const MAX_STREAMS = 32;
const MAX_POST_BYTES = 256 * 1024;

const HEADERS = {
  "Cache-Control": "no-store",
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  "Content-Security-Policy": "default-src 'self'; img-src 'self' data:; frame-ancestors 'none'",
};

function isLoopback(host: string): boolean {
  if (isIP(host) === 4) return host.startsWith("127.");
  return host === "::1";
}

function send(response: ServerResponse, status: number, body: string | Buffer, type: string, extra = {}): void {
  response.writeHead(status, { ...HEADERS, "Content-Type": type, "Content-Length": Buffer.byteLength(body), ...extra });
  response.end(body);
}

const json = (response: ServerResponse, status: number, value: unknown): void =>
  send(response, status, JSON.stringify(value), "application/json; charset=utf-8");

/**
 * The inspector: a loopback-only HTTP server with the page, the kept exchanges (`/api/exchanges`, one explained at
 * `/api/exchanges/ID`), a live stream of new ones (Server-Sent Events at `/api/events`), Replay (POST
 * `/api/exchanges/ID/replay`, `{ "edited": XML }` to edit the message first) and an NDJSON export for `simulate
 * --replay` (`/api/export?ids=…`). A request whose Host is not the address it listens on is refused: a web page
 * elsewhere cannot reach it through a DNS name pointed at 127.0.0.1 (DNS rebinding).
 */
export function createInspector(options: InspectorOptions): { listen(): Promise<RunningInspector> } {
  const host = options.host ?? "127.0.0.1";
  if (!isLoopback(host))
    throw new InputError(`the inspector listens on loopback only, not ${host}: it shows users' messages`, {
      hint: "open it on 127.0.0.1 (an SSH forward reaches it from elsewhere)",
      input: "host",
      example: "127.0.0.1",
    });
  const { log, keys } = options;
  const page = servePage("inspect", "");
  let origin = "";
  let streams = 0;
  const info = (): InspectInfo => ({
    ...options.info,
    keep: log.keep,
    ...(options.target === undefined ? {} : { replayTo: options.target.url }),
  });
  const explain = (entry: InspectEntry) => explainExchange(entry, keys, options.target?.url);

  const stream = (request: IncomingMessage, response: ServerResponse): void => {
    if (streams >= MAX_STREAMS) {
      send(response, 503, "too many pages open", "text/plain; charset=utf-8");
      return;
    }
    streams++;
    response.writeHead(200, { ...HEADERS, "Content-Type": "text/event-stream; charset=utf-8" });
    response.write("retry: 1000\n\n");
    const stop = log.watch((entry) => response.write(`event: exchange\ndata: ${JSON.stringify(entry.summary)}\n\n`));
    const beat = setInterval(() => response.write(": still here\n\n"), 15_000);
    request.socket.setTimeout(0);
    response.once("close", () => {
      streams--;
      stop();
      clearInterval(beat);
    });
  };

  const replay = async (request: IncomingMessage, response: ServerResponse, entry: InspectEntry): Promise<void> => {
    if (!(request.headers["content-type"] ?? "").startsWith("application/json"))
      return json(response, 415, { error: "send JSON" });
    const text = await readBody(request, MAX_POST_BYTES);
    if (options.target === undefined) return json(response, 409, { error: options.info.noReplay ?? "no URL" });
    let edited: string | undefined;
    try {
      const value = JSON.parse(text === "" ? "{}" : text) as { edited?: unknown };
      if (typeof value.edited === "string") edited = value.edited;
    } catch {
      return json(response, 400, { error: "not JSON" });
    }
    const { replayOne } = await import("../client/replay.js");
    try {
      const outcome = await replayOne(entry.record, options.target, { edited, index: entry.summary.id });
      json(response, 200, { outcome });
    } catch (error) {
      if (error instanceof WxdevError) return json(response, 400, { error: error.message, hint: error.hint });
      throw error;
    }
  };

  const exportRecords = (url: URL, response: ServerResponse): void => {
    const ids = (url.searchParams.get("ids") ?? "").split(",").map(Number);
    const chosen = ids.map((id) => log.get(id)).filter((entry) => entry !== undefined);
    const body = chosen.map((entry) => formatRecord(entry.record)).join("");
    send(response, 200, body, "application/x-ndjson; charset=utf-8", {
      "Content-Disposition": 'attachment; filename="exchanges.ndjson"',
    });
  };

  const route = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    // The Host a browser sends is the name it resolved: only the address itself is this inspector.
    if (request.headers.host !== new URL(origin).host) {
      request.resume();
      return send(response, 403, "forbidden host", "text/plain; charset=utf-8");
    }
    const url = new URL(request.url ?? "/", origin);
    const method = request.method ?? "GET";
    const sentOrigin = request.headers.origin;
    if (method === "POST" && sentOrigin !== undefined && sentOrigin !== origin) {
      request.resume();
      return send(response, 403, "forbidden origin", "text/plain; charset=utf-8");
    }
    if (method === "GET" && url.pathname === "/favicon.ico") return send(response, 204, "", "text/plain");
    if (method === "GET" && url.pathname === "/api/info") return json(response, 200, info());
    if (method === "GET" && url.pathname === "/api/exchanges")
      return json(
        response,
        200,
        log.list().map((entry) => entry.summary),
      );
    if (method === "GET" && url.pathname === "/api/events") return stream(request, response);
    if (method === "GET" && url.pathname === "/api/export") return exportRecords(url, response);
    const match = /^\/api\/exchanges\/(\d{1,12})(\/replay)?$/.exec(url.pathname);
    const entry = match === null ? undefined : log.get(Number(match[1]));
    if (match !== null && entry === undefined) {
      request.resume();
      return json(response, 404, { error: `no exchange #${match[1]}: the inspector keeps the last ${log.keep}` });
    }
    if (entry !== undefined && method === "GET" && match?.[2] === undefined) return json(response, 200, explain(entry));
    if (entry !== undefined && method === "POST" && match?.[2] !== undefined) return replay(request, response, entry);
    request.resume();
    const file = method === "GET" ? page(url.pathname, request.headers["if-none-match"]) : undefined;
    if (file === undefined) return send(response, 404, "not found", "text/plain; charset=utf-8");
    response.writeHead(file.status, file.headers);
    response.end(file.body);
  };

  const server = createServer((request, response) => {
    route(request, response).catch((error: unknown) => {
      if (response.headersSent) return void response.destroy();
      if (error instanceof BodyTooLarge) return json(response, 413, { error: "payload too large" });
      json(response, 500, { error: String(error) });
    });
  });

  return {
    listen: async () => {
      const listening = await listen(server, options.port ?? 0, host);
      origin = listening.origin;
      return { url: `${origin}/`, port: listening.port, close: listening.close };
    },
  };
}
