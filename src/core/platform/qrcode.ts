import { randomBytes } from "node:crypto";
import type { ApiRoute, Call, PlatformContext, RawRoute } from "./route.js";
import { MAX_QRCODES, type PlatformStore, type QrCode } from "./store.js";
import { BAD_JSON, fail, isRecord, ok, type Outcome, text } from "./transport.js";

/** Temporary codes: 60 s unless expire_seconds says, at most 30 days (生成带参数的二维码 page). */
export const QR_DEFAULT_EXPIRE_S = 60;
export const QR_MAX_EXPIRE_S = 2_592_000;
/** Permanent codes: scene_id 1–100,000, 100,000 codes at most; scene_str 1–64 characters. */
const PERMANENT_SCENE_IDS = 100_000;
const MAX_SCENE_STR = 64;
const ACTIONS = ["QR_SCENE", "QR_STR_SCENE", "QR_LIMIT_SCENE", "QR_LIMIT_STR_SCENE"];

/**
 * A ticket laid out as real ones decode: `81 01 r r N 00×7`, then `01 L <url>`, `00`, `02 04 <created, u32 LE>`,
 * `03 04 <expire seconds, u32 LE>` (0 = permanent), in base64url (newer tickets' alphabet, safe in a query).
 */
function makeTicket(url: string, createdAt: number, expireSeconds: number): string {
  const urlBytes = Buffer.from(url, "latin1");
  const head = Buffer.from([
    0x81,
    0x01,
    ...randomBytes(2),
    urlBytes.length + 14,
    0,
    0,
    0,
    0,
    0,
    0,
    0,
    0x01,
    urlBytes.length,
  ]);
  const tail = Buffer.alloc(13);
  tail.writeUInt8(0x00, 0);
  tail.writeUInt16BE(0x0204, 1);
  tail.writeUInt32LE(createdAt >>> 0, 3);
  tail.writeUInt16BE(0x0304, 7);
  tail.writeUInt32LE(expireSeconds >>> 0, 9);
  return Buffer.concat([head, urlBytes, tail]).toString("base64url");
}

/** The code's URL (what the picture encodes): today's shape, `http://weixin.qq.com/q/02` and 20 characters. */
function codeUrl(): string {
  return `http://weixin.qq.com/q/02${randomBytes(15).toString("base64url")}`;
}

/** A QR code that can still be scanned (a temporary one expires), else undefined. */
export function liveCode(store: PlatformStore, ticket: string): QrCode | undefined {
  const code = store.qrcodes.get(ticket);
  if (code === undefined) return undefined;
  if (code.expireSeconds !== undefined && (code.createdAt + code.expireSeconds) * 1000 <= store.clock.now())
    return undefined;
  return code;
}

/** Drops expired temporary codes, then the oldest temporary ones past MAX_QRCODES. */
function prune(store: PlatformStore): void {
  for (const code of store.qrcodes.values())
    if (code.expireSeconds !== undefined && liveCode(store, code.ticket) === undefined)
      store.qrcodes.delete(code.ticket);
  for (const code of store.qrcodes.values()) {
    if (store.qrcodes.size < MAX_QRCODES) break;
    if (code.expireSeconds !== undefined) store.qrcodes.delete(code.ticket);
  }
}

/** Checks a qrcode/create body; the code to create, or the platform's error. */
function checkCreate(body: Record<string, unknown>): Outcome | Omit<QrCode, "ticket" | "url" | "createdAt"> {
  const action = body.action_name;
  if (typeof action !== "string" || !ACTIONS.includes(action))
    return fail(40052, `action_name: one of ${ACTIONS.join(", ")}`);
  const scene = isRecord(body.action_info) && isRecord(body.action_info.scene) ? body.action_info.scene : undefined;
  const permanent = action.startsWith("QR_LIMIT");
  const info = "invalid action info, please check document";
  if (action.endsWith("STR_SCENE")) {
    const value = scene?.scene_str;
    if (typeof value !== "string" || value.length < 1 || value.length > MAX_SCENE_STR)
      return fail(40053, `action_info.scene.scene_str: 1 to ${MAX_SCENE_STR} characters`, info);
    return permanent
      ? { action, sceneStr: value }
      : { action, sceneStr: value, expireSeconds: expiry(body.expire_seconds) };
  }
  const id = Number(scene?.scene_id);
  const range = permanent ? id >= 1 && id <= PERMANENT_SCENE_IDS : id !== 0 && id >= -(2 ** 31) && id < 2 ** 32;
  if (scene?.scene_id === undefined || !Number.isInteger(id) || !range)
    return fail(40053, `action_info.scene.scene_id: ${permanent ? "1 to 100000" : "a 32-bit integer, not 0"}`, info);
  return permanent ? { action, sceneId: id } : { action, sceneId: id, expireSeconds: expiry(body.expire_seconds) };
}

function expiry(value: unknown): number {
  const seconds = Number(value);
  if (value === undefined || !Number.isFinite(seconds) || seconds <= 0) return QR_DEFAULT_EXPIRE_S;
  return Math.min(Math.floor(seconds), QR_MAX_EXPIRE_S);
}

/** QR codes with a scene: qrcode/create, and the picture (showqrcode, on the mp.weixin.qq.com host). */
export function qrcodeRoutes(ctx: PlatformContext): { api: ApiRoute[]; raw: RawRoute[] } {
  const { store } = ctx;
  const create = async (call: Call): Promise<Outcome> => {
    const body = await call.json();
    if (body === BAD_JSON || !isRecord(body)) return fail(47001);
    const checked = checkCreate(body);
    if ("kind" in checked) return checked;
    prune(store);
    const permanent = checked.expireSeconds === undefined;
    // The same permanent scene gives the same code back (and does not count again).
    const same = permanent
      ? [...store.qrcodes.values()].find(
          (code) =>
            code.expireSeconds === undefined &&
            code.action === checked.action &&
            code.sceneId === checked.sceneId &&
            code.sceneStr === checked.sceneStr,
        )
      : undefined;
    if (same === undefined && store.qrcodes.size >= MAX_QRCODES) return fail(45029, `${MAX_QRCODES} codes at most`);
    const createdAt = store.clock.seconds();
    const url = same?.url ?? codeUrl();
    const code: QrCode = same ?? {
      ...checked,
      url,
      createdAt,
      ticket: makeTicket(url, createdAt, checked.expireSeconds ?? 0),
    };
    store.qrcodes.set(code.ticket, code);
    store.changed();
    // Captured answers: a permanent code's has no expire_seconds.
    return ok(
      permanent ? { ticket: code.ticket, url } : { ticket: code.ticket, expire_seconds: code.expireSeconds, url },
    );
  };
  return {
    api: [{ method: "POST", path: "/cgi-bin/qrcode/create", token: true, handle: create }],
    raw: [
      {
        method: "GET",
        path: "/cgi-bin/showqrcode",
        handle: async (call: Call) => {
          // SDKs put the ticket in the URL unencoded: a `+` of an older ticket arrives as a space.
          const ticket = (call.query.get("ticket") ?? "").replace(/ /g, "+");
          const code = liveCode(store, ticket);
          if (code === undefined) return text(404, "not found", "unknown or expired ticket");
          const { default: QRCode } = await import("qrcode");
          const png = await QRCode.toBuffer(code.url, { type: "png", margin: 2, scale: 8 });
          return {
            status: 200,
            type: "image/png",
            body: png,
            headers: { "Cache-Control": "max-age=604800", "Accept-Ranges": "bytes" },
          };
        },
      },
    ],
  };
}
