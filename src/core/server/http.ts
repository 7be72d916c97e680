import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import { MessageCrypto } from "../crypto.js";
import { InputError } from "../errors.js";
import { listen } from "../listen.js";
import type { Mode } from "../modes.js";
import { echoBot, type Bot } from "./echo-bot.js";
import { createCallbackHandler, hasValidSignature, type Exchange } from "./handler.js";

/** Handles a request outside the WeChat path (e.g. the OAuth `/index` page); true when it answered. */
export type ExtraHandler = (request: IncomingMessage, response: ServerResponse) => Promise<boolean> | boolean;

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
  extraHandler?: ExtraHandler;
  onExchange?: (exchange: Exchange) => void;
}

export interface RunningServer {
  server: Server;
  host: string;
  port: number;
  /** The callback URL to give the platform (or wxdev simulate). */
  url: string;
  close(): Promise<void>;
}

export const DEFAULT_PORT = 8013;
export const DEFAULT_PATH = "/wechat8013";
export const DEFAULT_MAX_BODY_BYTES = 64 * 1024;

class BodyTooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        reject(new BodyTooLarge());
        request.resume();
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () => resolve(chunks.length === 1 ? chunks[0]!.toString("utf8") : Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function cryptoFor(options: WechatServerOptions, mode: Mode): MessageCrypto | undefined {
  if (options.aesKey === undefined || options.aesKey === "") {
    if (mode !== "plain") throw new InputError(`${mode} mode needs the EncodingAESKey`, "set --aes-key or WXDEV_AES_KEY");
    return undefined;
  }
  if (options.appId === undefined || options.appId === "") {
    throw new InputError(`${mode} mode needs the appId`, "set --app-id or WXDEV_APP_ID");
  }
  return new MessageCrypto({ token: options.token, encodingAESKey: options.aesKey, appId: options.appId });
}

/** The reference WeChat server on node:http: validates, decrypts, answers through the bot, logs each exchange. */
export function createWechatServer(options: WechatServerOptions): { server: Server; listen(): Promise<RunningServer> } {
  const mode = options.mode ?? "plain";
  const path = options.path ?? DEFAULT_PATH;
  if (!path.startsWith("/")) throw new InputError(`the path ${JSON.stringify(path)} does not start with /`, `e.g. --path /${path.replace(/^\/*/, "")}`);
  const maxBodyBytes = options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  const handle = createCallbackHandler({
    token: options.token,
    mode,
    crypto: cryptoFor(options, mode),
    bot: options.bot ?? echoBot(options),
    maxBodyBytes,
  });
  const report = (exchange: Exchange): void => options.onExchange?.(exchange);

  const server = createServer(async (request, response) => {
    const started = performance.now();
    const url = new URL(request.url ?? "/", "http://localhost");
    const method = request.method ?? "GET";
    const send = (status: number, body: string, contentType = "text/plain; charset=utf-8"): void => {
      response.writeHead(status, { "Content-Type": contentType, "Content-Length": Buffer.byteLength(body) });
      response.end(body);
    };
    try {
      if (url.pathname !== path) {
        if (options.extraHandler !== undefined && (await options.extraHandler(request, response))) return;
        const hint = url.pathname.replace(/\/+$/, "") === path ? ` (the path is ${path}, without the trailing slash)` : "";
        send(404, `not found${hint}`);
        report({ time: new Date(), method, status: 404, encrypted: false, retry: false, latencyMs: performance.now() - started, error: `no such path ${url.pathname}${hint}` });
        return;
      }
      if (method !== "GET" && method !== "POST") {
        response.setHeader("Allow", "GET, POST");
        send(405, "method not allowed");
        report({ time: new Date(), method, status: 405, encrypted: false, retry: false, latencyMs: performance.now() - started, error: `method ${method} not allowed` });
        return;
      }
      if (method === "POST" && !hasValidSignature(options.token, url.searchParams)) {
        request.resume(); // a forged request is refused unread, however large
        send(403, "invalid signature");
        report({ time: new Date(), method, status: 403, encrypted: false, retry: false, latencyMs: performance.now() - started, error: "invalid signature" });
        return;
      }
      const body = method === "POST" ? await readBody(request, maxBodyBytes) : "";
      const result = await handle({ method, query: url.searchParams, body });
      send(result.status, result.body, result.status === 200 && method === "POST" ? "application/xml; charset=utf-8" : undefined);
      if (options.onExchange !== undefined) report({ ...result.exchange, time: new Date(), method, latencyMs: performance.now() - started });
    } catch (error) {
      const tooLarge = error instanceof BodyTooLarge;
      const status = tooLarge ? 413 : 500;
      if (!response.headersSent) send(status, tooLarge ? `body larger than ${maxBodyBytes} bytes` : "internal error");
      report({ time: new Date(), method, status, encrypted: false, retry: false, latencyMs: performance.now() - started, error: tooLarge ? "body too large" : String(error) });
    }
  });
  server.keepAliveTimeout = 5_000;

  return {
    server,
    listen: async () => {
      const listening = await listen(server, options.port ?? DEFAULT_PORT, options.host ?? "127.0.0.1");
      return { server, host: listening.host, port: listening.port, url: `${listening.origin}${path}`, close: listening.close };
    },
  };
}
