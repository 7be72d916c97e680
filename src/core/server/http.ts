import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { InputError } from "../support/errors.js";
import { BodyTooLarge, readBody } from "../support/http-body.js";
import { listen } from "../support/listen.js";
import { callbackPath } from "../config/class-account.js";
import { cryptoForMode } from "../config/mode-crypto.js";
import type { ExchangeRecord } from "../wire/exchange-record.js";
import { DEFAULT_MODE, type Mode } from "../wire/modes.js";
import { echoBot, type Bot } from "./echo-bot.js";
import { callbackQueryReader } from "./request-target.js";
import { createCallbackHandler, DEFAULT_MAX_AGE_SECONDS, REFUSAL_BODIES, type RefusalStatus } from "./handler.js";

/**
 * Handles a request outside the WeChat path (e.g. the OAuth `/index` page): false when it is not
 * its path, true when it answered, or `{ error }` when it answered with an error worth logging.
 */
export type ExtraHandler = (
  request: IncomingMessage,
  response: ServerResponse,
  url: URL,
) => Promise<boolean | { error: string }> | boolean | { error: string };

export interface WechatServerOptions {
  host?: string;
  /** 0 picks a free port. */
  port?: number;
  path?: string;
  mode?: Mode;
  token: string;
  aesKey?: string;
  appId?: string;
  bot?: Bot;
  fallback?: string;
  welcome?: string;
  maxBodyBytes?: number;
  /** POSTs whose timestamp is further than this from the clock get 403 (default 300; 0 = no limit). */
  maxAgeSeconds?: number;
  extraHandler?: ExtraHandler;
  /** Each request to the server and its answer, once sent. */
  onExchange?: (exchange: ExchangeRecord) => void;
}

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  /** The callback URL to give the platform (or wxdev simulate). */
  url: string;
  close(): Promise<void>;
}

/**
 * `path` without its trailing slashes. A loop: /\/+$/ restarts at every slash of a run that does not end the path,
 * quadratic in a request target of 16,000 slashes (0.3 s a request).
 */
function withoutTrailingSlashes(path: string): string {
  let end = path.length;
  while (end > 0 && path.charCodeAt(end - 1) === 47 /* / */) end--;
  return path.slice(0, end);
}

export const DEFAULT_PORT = 8013;
export const DEFAULT_PATH = callbackPath(DEFAULT_PORT);
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

/** The reference WeChat server on node:http: validates, decrypts, answers through the bot, logs each exchange. */
export function createWechatServer(options: WechatServerOptions): { server: Server; listen(): Promise<RunningServer> } {
  const mode = options.mode ?? DEFAULT_MODE;
  const path = options.path ?? DEFAULT_PATH;
  if (!path.startsWith("/")) {
    const example = `/${path.replace(/^\/*/, "")}`;
    throw new InputError(`the path ${JSON.stringify(path)} does not start with /`, {
      hint: `e.g. ${example}`,
      input: "path",
      example,
    });
  }
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handlerOptions = {
    token: options.token,
    mode,
    crypto: cryptoForMode(mode, options),
    bot: options.bot ?? echoBot(options),
    maxBodyBytes,
    maxAgeSeconds: options.maxAgeSeconds ?? DEFAULT_MAX_AGE_SECONDS,
  };
  const handle = createCallbackHandler(handlerOptions);
  const fastQuery = callbackQueryReader(path);

  const server = createServer(async (request, response) => {
    const started = performance.now();
    const method = request.method ?? "GET";
    const requestTarget = request.url ?? "/";
    /** Tells the exchange, its request body and answer as given (empty when unread or not known). */
    const report = (told: Omit<ExchangeRecord, "time" | "method" | "path" | "latencyMs">): void => {
      if (options.onExchange === undefined) return;
      const latencyMs = performance.now() - started;
      options.onExchange({ time: new Date().toISOString(), method, path: requestTarget, ...told, latencyMs });
    };
    const send = (status: number, body: string, contentType = "text/plain; charset=utf-8"): void => {
      response.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
      response.end(body);
    };
    const refuse = (status: RefusalStatus, error: string): void => {
      if (!response.headersSent) send(status, REFUSAL_BODIES[status]);
      report({ body: "", status, reply: REFUSAL_BODIES[status], error });
    };
    /** Answers a request for the callback path: 405 for other methods, else the handler's response. */
    const answer = async (query: URLSearchParams): Promise<void> => {
      if (method !== "GET" && method !== "POST") {
        request.resume();
        response.setHeader("Allow", "GET, POST");
        refuse(405, `method ${method} not allowed`);
        return;
      }
      let read = false;
      const body = (): Promise<string> => {
        read = true;
        return readBody(request, maxBodyBytes);
      };
      const result = await handle({ method, query, body });
      // A forged or stale request is refused unread, however large: its body is drained, not buffered.
      if (!read) request.resume();
      send(
        result.status,
        result.body,
        result.status === 200 && method === "POST" ? "application/xml; charset=utf-8" : undefined,
      );
      if (options.onExchange !== undefined) {
        // Field by field: an object spread here is a measurable part of a request's cost (npm run bench serve).
        const { status, kind, from, content, encrypted, retry, error } = result.exchange;
        const body = result.received ?? "";
        report({ body, status, reply: result.body, kind, openid: from, content, encrypted, retry, error });
      }
    };
    try {
      const fast = fastQuery(requestTarget);
      if (fast !== undefined) {
        await answer(fast);
        return;
      }
      let url: URL;
      try {
        url = new URL(request.url ?? "/", "http://localhost");
      } catch {
        request.resume();
        refuse(400, `unparsable request target ${JSON.stringify((request.url ?? "").slice(0, 100))}`);
        return;
      }
      if (url.pathname !== path) {
        const extra = options.extraHandler === undefined ? false : await options.extraHandler(request, response, url);
        if (extra !== false) {
          const error = extra === true ? undefined : extra.error;
          report({ body: "", status: response.statusCode, reply: "", kind: url.pathname, error });
          return;
        }
        request.resume();
        // The one refusal with a word of help: it names only the path the client nearly typed.
        const hint =
          withoutTrailingSlashes(url.pathname) === path ? ` (the path is ${path}, without the trailing slash)` : "";
        send(404, `${REFUSAL_BODIES[404]}${hint}`);
        const error = `no such path ${url.pathname.slice(0, 200)}`;
        report({ body: "", status: 404, reply: `${REFUSAL_BODIES[404]}${hint}`, error });
        return;
      }
      await answer(url.searchParams);
    } catch (error) {
      if (error instanceof BodyTooLarge) refuse(413, `body larger than ${maxBodyBytes} bytes`);
      else refuse(500, String(error));
    }
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen: async () => {
      const listening = await listen(server, options.port ?? DEFAULT_PORT, options.host ?? "127.0.0.1");
      return {
        server,
        host: listening.host,
        port: listening.port,
        url: `${listening.origin}${path}`,
        close: listening.close,
      };
    },
  };
}
