import type { ServerResponse } from "node:http";
import { InputError } from "../support/errors.js";
import { randomOpenId } from "../wire/messages.js";
import { parseDuration } from "./clock.js";
import { openWindow, WINDOW_EVENTS } from "./cs-window.js";
import type { PushOutcome, PushSpec } from "./pusher.js";
import { liveCode } from "./qrcode.js";
import type { Call, PlatformContext, RawRoute, StreamReply } from "./route.js";
import type { Follower } from "./store.js";
import { addTemplate } from "./template.js";
import { isRecord, parseJsonBody, type Reply } from "./transport.js";
import { userInfo } from "./user.js";

/** Where the control endpoints live: a prefix no SDK calls, answered only to this machine. */
export const CONTROL_PREFIX = "/_wxdev/";
/** An SSE watcher that stops reading is dropped once this much waits for it. */
const MAX_BACKLOG_BYTES = 1024 * 1024;

const answer = (status: number, value: unknown): Reply => ({
  status,
  type: "application/json; charset=utf-8",
  body: JSON.stringify(value),
  note: status === 200 ? undefined : String((value as { error?: string }).error ?? ""),
});
const refuse = (status: number, error: string): Reply => answer(status, { error });

/** A control request's JSON body (an object), or undefined. */
async function body(call: Call): Promise<Record<string, unknown> | undefined> {
  const parsed = parseJsonBody((await call.text()) || "{}");
  return isRecord(parsed) ? parsed : undefined;
}

/** The JSON of a push for the control's answer: what was sent and how the app answered. */
function pushed(outcome: PushOutcome, openid: string, mode: string): Record<string, unknown> {
  return outcome.sent
    ? { openid, pushed: true, mode, exchange: outcome.result }
    : { openid, pushed: false, reason: outcome.reason };
}

/**
 * The control endpoints (loopback only): move the clock, scan a QR code, follow, unfollow, a user's message or
 * menu click, add a template as the 测试号 page does, watch the account's events (Server-Sent Events).
 */
export function controlRoutes(ctx: PlatformContext, mode: string): RawRoute[] {
  const { store } = ctx;
  const follower = (openid: unknown): Follower | undefined =>
    typeof openid === "string" ? store.followers.get(openid) : undefined;
  const push = async (user: Follower, spec: PushSpec): Promise<Reply> =>
    answer(200, pushed(await ctx.pusher.push(user.openid, spec), user.openid, mode));
  const announce = (user: Follower): void =>
    store.events.emit({ type: "follower", time: store.clock.now(), openid: user.openid, subscribed: user.subscribed });

  const routes: Record<string, (call: Call, input: Record<string, unknown>) => Reply | Promise<Reply>> = {
    clock: (_call, input) => {
      const by = input.advance;
      let ms: number;
      try {
        ms = typeof by === "number" ? by : parseDuration(String(by ?? ""));
        store.clock.advance(ms);
      } catch (error) {
        return refuse(400, error instanceof InputError ? error.message : 'advance: e.g. "5m"');
      }
      store.changed();
      store.events.emit({ type: "clock", time: store.clock.now(), offsetMs: store.clock.offset });
      return answer(200, { now: new Date(store.clock.now()).toISOString(), offsetMs: store.clock.offset });
    },
    scan: async (_call, input) => {
      const code = typeof input.ticket === "string" ? liveCode(store, input.ticket.replace(/ /g, "+")) : undefined;
      if (code === undefined) return refuse(404, "no such QR code: unknown ticket, or a temporary code that expired");
      const scene = code.sceneStr ?? String((code.sceneId ?? 0) >>> 0);
      const known = follower(input.openid);
      if (known?.subscribed) {
        openWindow(known, "action", store.clock.now());
        store.changed();
        return push(known, { event: "SCAN", fields: { EventKey: scene, Ticket: code.ticket } });
      }
      const openid = typeof input.openid === "string" && input.openid !== "" ? input.openid : randomOpenId();
      const user = store.follow(openid, "ADD_SCENE_QR_CODE", code);
      openWindow(user, "action", store.clock.now());
      announce(user);
      return push(user, { event: "subscribe", fields: { EventKey: `qrscene_${scene}`, Ticket: code.ticket } });
    },
    follow: (_call, input) => {
      if (follower(input.openid)?.subscribed) return refuse(409, `${String(input.openid)} already follows`);
      const openid = typeof input.openid === "string" && input.openid !== "" ? input.openid : randomOpenId();
      const user = store.follow(openid, "ADD_SCENE_SEARCH");
      openWindow(user, "action", store.clock.now());
      announce(user);
      return push(user, { event: "subscribe", fields: { EventKey: "" } });
    },
    unfollow: (_call, input) => {
      const user = follower(input.openid);
      if (!user?.subscribed) return refuse(404, `${String(input.openid)} is not a follower`);
      user.subscribed = false;
      user.window = undefined;
      store.changed();
      announce(user);
      return push(user, { event: "unsubscribe" });
    },
    message: (_call, input) => {
      const openid = input.openid ?? [...store.followers.values()].find((user) => user.subscribed)?.openid;
      const user = follower(openid);
      if (!user?.subscribed) return refuse(404, `${String(openid)} is not a follower: only followers can write`);
      const fields = isRecord(input.fields) ? (input.fields as PushSpec["fields"]) : undefined;
      let spec: PushSpec;
      if (typeof input.event === "string") spec = { event: input.event, fields };
      else if (typeof input.message === "string") spec = { message: input.message, fields };
      else return refuse(400, 'name "message" (text, image, …) or "event" (CLICK, …)');
      const now = store.clock.now();
      if ("message" in spec) openWindow(user, "message", now);
      else if (WINDOW_EVENTS.has(spec.event)) openWindow(user, "action", now);
      store.changed();
      return push(user, spec).catch((error: unknown) =>
        refuse(400, error instanceof InputError ? error.message : "bad message"),
      );
    },
    template: (_call, input) => {
      if (typeof input.title !== "string" || typeof input.content !== "string")
        return refuse(400, 'give "title" and "content" (e.g. "时间：{{time1.DATA}}")');
      const template = addTemplate(store, input.title, input.content);
      return template === undefined ? refuse(409, "25 templates at most") : answer(200, template);
    },
  };

  const postRoutes: RawRoute[] = Object.entries(routes).map(([name, handle]) => ({
    method: "POST",
    path: `${CONTROL_PREFIX}${name}`,
    loopbackOnly: true,
    handle: async (call: Call) => {
      // A web page may POST to 127.0.0.1 from the browser, but not with this type without a preflight (unanswered).
      if (!/^application\/json\b/i.test(call.request.headers["content-type"] ?? ""))
        return refuse(415, "send the body as Content-Type: application/json");
      const input = await body(call);
      return input === undefined ? refuse(400, "the body must be a JSON object") : handle(call, input);
    },
  }));
  return [
    ...postRoutes,
    {
      method: "GET",
      path: `${CONTROL_PREFIX}state`,
      loopbackOnly: true,
      handle: () =>
        answer(200, {
          appId: ctx.appId,
          accountId: store.accountId,
          now: new Date(store.clock.now()).toISOString(),
          offsetMs: store.clock.offset,
          pushUrl: ctx.pusher.url ?? null,
          followers: [...store.followers.values()].filter((user) => user.subscribed).map(userInfo),
          menu: store.menu ?? null,
          templates: [...store.templates.values()],
          media: [...store.media.values()].map(({ id, type, format, createdAt }) => ({ id, type, format, createdAt })),
          qrcodes: [...store.qrcodes.values()],
        }),
    },
    { method: "GET", path: `${CONTROL_PREFIX}events`, loopbackOnly: true, handle: () => eventStream(ctx) },
  ];
}

/** The account's events as Server-Sent Events (`event: <type>`, `data: <json>`), until the client goes. */
function eventStream(ctx: PlatformContext): Reply {
  const reply: StreamReply = {
    status: 200,
    type: "text/event-stream",
    body: "",
    stream: (response: ServerResponse) => {
      response.writeHead(200, { "Content-Type": "text/event-stream", "Cache-Control": "no-cache" });
      response.write(": wxdev mock: the account's events\n\n");
      const stop = ctx.store.events.watch((event) => {
        if (response.writableLength > MAX_BACKLOG_BYTES) {
          response.destroy();
          return;
        }
        response.write(`event: ${event.type}\ndata: ${JSON.stringify(event)}\n\n`);
      });
      if (stop === undefined) response.end();
      else response.on("close", stop);
    },
  };
  return reply;
}
