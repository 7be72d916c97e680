import express from "express";
import { createServer, type Server } from "node:http";
import { createRequire } from "node:module";
import type { ExchangeRecord } from "../../src/core/wire/exchange-record.js";
import { listen } from "../../src/core/support/listen.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";
import { verifySignature } from "../../src/core/wire/signature.js";
import { WXBizMsgCrypt } from "./fixtures.js";
import { printedOrigin, startCommand, type RunningCommand } from "./processes.js";

const require = createRequire(import.meta.url);
// node-webot's middleware: an independent implementation of the server side.
const wechat = require("wechat") as (
  config: unknown,
  handler: (req: { weixin: Record<string, string> }, res: { reply(content: unknown): void }) => void,
) => express.RequestHandler;

export interface RunningTestServer {
  url: string;
  close(): Promise<void>;
}

/** Listens on a free port of 127.0.0.1 (the core's `listen`) and gives the URL of `path` on it. */
async function listenOn(server: Server, path: string): Promise<RunningTestServer> {
  const listening = await listen(server, 0, "127.0.0.1");
  return { url: `${listening.origin}${path}`, close: listening.close };
}

/** The seed's echo bot written with the `wechat` npm package on express, plain or safe mode. */
export function startWebot(
  config: { token: string; appid?: string; encodingAESKey?: string },
  /** Events answered with webot's empty body, as a bot that knows its notifications does. */
  silentEvents: string[] = [],
): Promise<RunningTestServer> {
  const app = express();
  app.use(express.query({}));
  app.use(
    "/wechat",
    wechat(config, (req, res) => {
      const message = req.weixin;
      if (message.MsgType === "text") res.reply(message.Content);
      else if (message.MsgType === "event" && silentEvents.includes(message.Event)) res.reply("");
      else if (message.MsgType === "event" && message.Event === "subscribe") res.reply("welcome");
      else if (message.MsgType === "event" && message.Event === "unsubscribe") res.reply("");
      else res.reply("i love him");
    }),
  );
  return listenOn(createServer(app), "/wechat");
}

/** One deliberate flaw each, to prove `check` and `simulate` notice it. */
export type Flaw = "swap" | "milliseconds" | "insecure" | "slow" | "html" | "twice" | "quiet" | "drip";

/** A hand-written server that is correct except for one flaw. */
export function startBroken(flaw: Flaw, token: string, slowMs = 6_000): Promise<RunningTestServer> {
  let handled = 0;
  const server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const q = url.searchParams;
    const signed = verifySignature(token, q.get("timestamp") ?? "", q.get("nonce") ?? "", q.get("signature") ?? "");
    if (!signed && flaw === "quiet") {
      res.end("success"); // checks, but answers a forgery as if it were fine
      return;
    }
    if (!signed && flaw !== "insecure") {
      res.writeHead(403).end("bad signature");
      return;
    }
    if (req.method === "GET") {
      res.end(q.get("echostr") ?? "");
      return;
    }
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      if (flaw === "drip") {
        // headers at once, then a byte at a time: never idle for long, never finished in time
        res.writeHead(200, { "Content-Type": "application/xml" });
        const timer = setInterval(() => res.write(" "), 200);
        res.on("close", () => clearInterval(timer));
        return;
      }
      if (flaw === "html") {
        res
          .writeHead(200, { "Content-Type": "text/html" })
          .end("<!DOCTYPE html><html><body><h1>Internal Server Error</h1></body></html>");
        return;
      }
      let message: Record<string, unknown>;
      try {
        message = parseXml(body);
      } catch {
        res.writeHead(400).end("bad xml");
        return;
      }
      const swap = flaw !== "swap";
      const reply = buildXml({
        ToUserName: String(swap ? message.FromUserName : message.ToUserName),
        FromUserName: String(swap ? message.ToUserName : message.FromUserName),
        CreateTime: String(flaw === "milliseconds" ? Date.now() : Math.floor(Date.now() / 1000)),
        MsgType: "text",
        Content:
          flaw === "twice" ? `handled ${++handled}` : typeof message.Content === "string" ? message.Content : "ok",
      });
      const delay = flaw === "slow" && message.MsgType === "text" ? slowMs : 0;
      setTimeout(() => res.writeHead(200, { "Content-Type": "application/xml" }).end(reply), delay);
    });
  });
  return listenOn(server, "/wechat");
}

/** `wxdev serve` as a real process on a port the system picks (`--port 0`); resolves with its URL once it listens. */
export async function startServe(
  args: string[],
  env: Record<string, string> = {},
): Promise<RunningTestServer & RunningCommand> {
  const running = await startCommand(["serve", "--port", "0", ...args], env, /listening/);
  const path = args.includes("--path") ? args[args.indexOf("--path") + 1]! : "/wechat8013";
  return {
    ...running,
    url: `${printedOrigin(running.output())}${path}`,
    close: async () => void (await running.stop()),
  };
}

/**
 * A safe-mode server written with `wechat-crypto` that refuses plaintext POSTs but decrypts any encrypted
 * one, checking neither `signature` nor `msg_signature` (nor the appId, nor the timestamp): it echoes the
 * text in an encrypted reply, so every round trip looks right.
 */
export function startCareless(token: string, encodingAESKey: string, appId: string): Promise<RunningTestServer> {
  const cryptor = new WXBizMsgCrypt(token, encodingAESKey, appId);
  const server = createServer((req, res) => {
    const q = new URL(req.url ?? "/", "http://x").searchParams;
    if (req.method === "GET") {
      const signed = verifySignature(token, q.get("timestamp") ?? "", q.get("nonce") ?? "", q.get("signature") ?? "");
      res.writeHead(signed ? 200 : 403).end(signed ? (q.get("echostr") ?? "") : "bad signature");
      return;
    }
    if (q.get("encrypt_type") !== "aes") {
      res.writeHead(400).end("safe mode only");
      return;
    }
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => {
      try {
        const message = parseXml(cryptor.decrypt(String(parseXml(body).Encrypt)).message);
        const reply = buildXml({
          ToUserName: String(message.FromUserName),
          FromUserName: String(message.ToUserName),
          CreateTime: String(Math.floor(Date.now() / 1000)),
          MsgType: "text",
          Content: typeof message.Content === "string" ? message.Content : "ok",
        });
        const encrypt = cryptor.encrypt(reply);
        const timestamp = String(Math.floor(Date.now() / 1000));
        const nonce = "1234567890";
        const envelope = buildXml({
          Encrypt: encrypt,
          MsgSignature: cryptor.getSignature(timestamp, nonce, encrypt),
          TimeStamp: timestamp,
          Nonce: nonce,
        });
        res.writeHead(200, { "Content-Type": "application/xml" }).end(envelope);
      } catch {
        res.writeHead(400).end("bad request");
      }
    });
  });
  return listenOn(server, "/wechat");
}

/** A recording proxy in front of a server: what `tunnel --record` writes, without the tunnel. */
export interface Recorder extends RunningTestServer {
  records: ExchangeRecord[];
}

/** Forwards each request to `upstream` (same path and query) and records the exchange as the tunnel would. */
export function startRecorder(upstream: string): Promise<Recorder> {
  const records: ExchangeRecord[] = [];
  const origin = new URL(upstream).origin;
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", async () => {
      const time = new Date().toISOString();
      const body = Buffer.concat(chunks).toString("utf8");
      const method = req.method ?? "GET";
      const answer = await fetch(`${origin}${req.url}`, { method, body: method === "POST" ? body : undefined });
      const reply = await answer.text();
      records.push({ time, method, path: req.url ?? "/", body, status: answer.status, reply, latencyMs: 1 });
      res.writeHead(answer.status, { "Content-Type": answer.headers.get("content-type") ?? "text/plain" }).end(reply);
    });
  });
  return listenOn(server, new URL(upstream).pathname).then((running) => ({ ...running, records }));
}
