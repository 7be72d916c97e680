import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { Target } from "../client/target.js";
import { BodyTooLarge } from "../support/http-body.js";
import { listen } from "../support/listen.js";
import { CONTROL_PREFIX, controlRoutes } from "./control.js";
import { controlMediaRoutes } from "./control-media.js";
import { ERRMSG } from "./errcodes.js";
import { mediaRoutes } from "./media.js";
import { menuRoutes } from "./menu.js";
import { messageRoutes } from "./message.js";
import { openApiRoutes } from "./openapi.js";
import { PHONE_PATH, pageReplies } from "./pages.js";
import { Pusher } from "./pusher.js";
import { qrcodeRoutes } from "./qrcode.js";
import { RidLog } from "./rid.js";
import { type ApiRoute, Call, type PlatformContext, type RawRoute, type StreamReply } from "./route.js";
import { snsRoutes } from "./sns.js";
import { PlatformStore } from "./store.js";
import { templateRoutes } from "./template.js";
import { tokenRoutes } from "./token.js";
import { API_JSON_TYPE, type Outcome, platformJson, type Reply, text } from "./transport.js";
import { userRoutes } from "./user.js";

export interface MockOptions {
  host?: string;
  port?: number;
  appId: string;
  appSecret: string;
  /** The 授权回调页面域名: redirects elsewhere get the 10003 page. Unset: any domain. */
  callbackDomain?: string;
  /** The real clock (tests pass their own); the mock's clock runs ahead of it by `advanceMs` and control requests. */
  now?: () => number;
  advanceMs?: number;
  /** The app to push events to (its callback URL, Token, mode and crypto); none: pushes are skipped. */
  push?: Target;
  /** A store to serve (a restored state file); default: a fresh account. */
  store?: PlatformStore;
  /** Each API request (its path without the query, which holds the access token) and its answer. */
  onRequest?: (line: { method: string; path: string; status: number; latencyMs: number; note?: string }) => void;
}

export interface RunningMock {
  origin: string;
  /** The phone page's address (a follower's chat with the app, in a browser on this machine). */
  phone: string;
  port: number;
  store: PlatformStore;
  close(): Promise<void>;
}

/** Whether a request comes from this machine (the control endpoints answer nobody else). */
function fromLoopback(request: IncomingMessage): boolean {
  const address = request.socket.remoteAddress ?? "";
  return address === "::1" || address.startsWith("127.") || address.startsWith("::ffff:127.");
}

/**
 * The offline platform: the API an app calls (token, menu, customer-service and template messages, media, QR
 * codes, users, web authorisation, JS-SDK ticket) with the platform's paths, JSON and errcodes, the pushes to
 * the app, and the loopback-only control endpoints under /_wxdev/.
 */
export function createMockPlatform(options: MockOptions): { store: PlatformStore; listen(): Promise<RunningMock> } {
  const store = options.store ?? new PlatformStore(options.appId, options.now);
  if (options.advanceMs) store.clock.advance(options.advanceMs);
  let origin = "";
  const pusher = new Pusher(store, options.push);
  const ctx: PlatformContext = {
    store,
    appId: options.appId,
    appSecret: options.appSecret,
    pusher,
    callbackDomain: options.callbackDomain,
    origin: () => origin,
  };
  const media = mediaRoutes(ctx);
  const qrcode = qrcodeRoutes(ctx);
  const sns = snsRoutes(ctx);
  const apiRoutes: ApiRoute[] = [
    ...tokenRoutes(ctx),
    ...openApiRoutes(ctx),
    ...menuRoutes(ctx),
    ...messageRoutes(ctx),
    ...templateRoutes(ctx),
    ...userRoutes(ctx),
    ...media.api,
    ...qrcode.api,
    ...sns.api,
  ];
  const rawRoutes: RawRoute[] = [
    ...media.raw,
    ...qrcode.raw,
    ...sns.raw,
    ...controlRoutes(ctx, options.push?.mode ?? "plain"),
    ...controlMediaRoutes(ctx, CONTROL_PREFIX),
  ];
  const api = new Map(apiRoutes.map((route) => [route.path, route]));
  const rawByKey = new Map(rawRoutes.map((route) => [`${route.method} ${route.path}`, route]));
  const page = pageReplies();

  /** The token check every cgi-bin API but the token's own makes first. */
  const tokenOutcome = (call: Call): Outcome | undefined => {
    const token = call.query.get("access_token");
    if (!token) return { kind: "error", errcode: 41001 };
    const check = store.tokens.check(token);
    if (check === "ok") return undefined;
    if (check === "expired") return { kind: "error", errcode: 42001, why: "the token is older than 7200 s" };
    if (check === "superseded")
      return { kind: "error", errcode: 40001, why: "a newer token was issued more than 5 minutes ago" };
    if (store.oauth.accessToken(token).ok)
      return { kind: "error", errcode: 40014, why: "a user's web-authorisation token, not the account's" };
    return { kind: "error", errcode: 40001, why: "not a token this account issued" };
  };

  /** An API call: method, token and quota checks, the route, then JSON (errors with a rid, kept for rid/get). */
  const answerApi = async (route: ApiRoute, call: Call, started: number): Promise<Reply & { errcode?: number }> => {
    let outcome: Outcome | undefined;
    if (call.request.method !== route.method)
      outcome = { kind: "error", errcode: route.method === "POST" ? 43002 : 43001 };
    else if (route.token) outcome = tokenOutcome(call);
    if (outcome === undefined && route.token && !store.quotas.take(route.path))
      outcome = { kind: "error", errcode: 45009, why: "today's quota of a test account (openapi/quota/get tells)" };
    outcome ??= await route.handle(call);
    if (outcome.kind === "raw") return outcome.reply;
    if (outcome.kind === "json") return { status: 200, type: API_JSON_TYPE, body: platformJson(outcome.body) };
    const rid = RidLog.make(store.clock.seconds());
    const errmsg = `${outcome.errmsg ?? ERRMSG[outcome.errcode] ?? "system error"} rid: ${rid}`;
    const body = platformJson({ errcode: outcome.errcode, errmsg });
    store.rids.record(rid, {
      invoke_time: store.clock.seconds(),
      cost_in_ms: Math.round(performance.now() - started),
      request_url: call.url.search.slice(1),
      request_body: call.recordedBody,
      response_body: body,
      client_ip: call.clientIp,
      why: outcome.why,
    });
    const note = `errcode ${outcome.errcode}${outcome.why ? `: ${outcome.why}` : ""}`;
    return { status: 200, type: route.errorType ?? API_JSON_TYPE, body, note, errcode: outcome.errcode };
  };

  /** The reply to one request: a client can send anything, so every failure is a fixed 4xx/500 body. */
  async function answer(request: IncomingMessage, started: number): Promise<{ path: string; reply: Reply }> {
    let url: URL;
    try {
      url = new URL(request.url ?? "/", "http://localhost");
    } catch {
      return { path: "?", reply: text(400, "bad request", "unparsable request target") };
    }
    const path = url.pathname;
    const call = new Call(request, url, request.socket.remoteAddress ?? "");
    try {
      const apiRoute = api.get(path);
      if (apiRoute !== undefined) {
        const reply = await answerApi(apiRoute, call, started);
        store.events.emit({
          type: "api",
          time: store.clock.now(),
          method: request.method ?? "GET",
          path,
          status: reply.status,
          ...(reply.errcode === undefined ? {} : { errcode: reply.errcode }),
        });
        return { path, reply };
      }
      const route = rawByKey.get(`${request.method} ${path}`);
      const hidden = route?.loopbackOnly === true && !fromLoopback(request);
      // The pages drive the control endpoints: served to this machine only, as they are.
      const pageReply = route === undefined && fromLoopback(request) ? page(request, path) : undefined;
      if (pageReply !== undefined) return { path, reply: pageReply };
      if (route === undefined || hidden) {
        const note = hidden ? "control endpoint: this machine only" : undefined;
        return { path, reply: text(404, "not found", note) };
      }
      return { path, reply: await route.handle(call) };
    } catch (error) {
      if (error instanceof BodyTooLarge) return { path, reply: text(413, "payload too large", "body over the limit") };
      return { path, reply: text(500, "internal error", String(error)) };
    }
  }

  const server = createServer(async (request: IncomingMessage, response: ServerResponse) => {
    const started = performance.now();
    const { path, reply } = await answer(request, started);
    request.resume(); // whatever body a route did not read
    if ("stream" in reply && !response.headersSent) (reply as StreamReply).stream(response);
    else if (!response.headersSent) {
      response.writeHead(reply.status, { "Content-Type": reply.type, ...reply.headers });
      response.end(reply.body);
    }
    const latencyMs = performance.now() - started;
    const line = { method: request.method ?? "GET", path: path.slice(0, 200), status: reply.status, latencyMs };
    options.onRequest?.(reply.note === undefined ? line : { ...line, note: reply.note });
  });
  server.keepAliveTimeout = 5_000;

  return {
    store,
    listen: async () => {
      const listening = await listen(server, options.port ?? 9000, options.host ?? "127.0.0.1");
      origin = listening.origin;
      return { origin, phone: `${origin}${PHONE_PATH}`, port: listening.port, store, close: listening.close };
    },
  };
}

/** A throwaway secret for a mock started without one. */
export function generateMockSecret(): string {
  return randomBytes(16).toString("hex");
}

export { CONTROL_PREFIX };
