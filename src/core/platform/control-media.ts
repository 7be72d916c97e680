import { randomBytes } from "node:crypto";
import { readBytes } from "../support/http-body.js";
import { MEDIA_MIME, MEDIA_RULES, sniffFormat } from "./media-format.js";
import type { Call, PlatformContext, RawRoute } from "./route.js";
import { text } from "./transport.js";

/**
 * The pages' media (loopback only, under /_wxdev/): a picture a follower sends (its bytes as the body, typed
 * application/octet-stream, which no other site's page can send here without a preflight) kept as the account's
 * image, and any live media file by its id, to draw a reply's picture.
 */
export function controlMediaRoutes(ctx: PlatformContext, prefix: string): RawRoute[] {
  const { store } = ctx;
  const json = (status: number, value: unknown) => ({
    status,
    type: "application/json; charset=utf-8",
    body: JSON.stringify(value),
  });
  return [
    {
      method: "POST",
      path: `${prefix}upload`,
      loopbackOnly: true,
      handle: async (call: Call) => {
        if (!/^application\/octet-stream\b/i.test(call.request.headers["content-type"] ?? ""))
          return json(415, { error: "send the picture's bytes as Content-Type: application/octet-stream" });
        const bytes = await readBytes(call.request, MEDIA_RULES.image.maxBytes);
        const format = sniffFormat(bytes);
        if (format === undefined || !(MEDIA_RULES.image.formats as readonly string[]).includes(format))
          return json(400, { error: `not a picture: ${MEDIA_RULES.image.formats.join("/")}` });
        const id = randomBytes(48).toString("base64url");
        store.keepMedia({ id, type: "image", format, bytes, createdAt: store.clock.seconds() });
        return json(200, { media_id: id, url: `${ctx.origin()}${prefix}media?id=${id}` });
      },
    },
    {
      method: "GET",
      path: `${prefix}media`,
      loopbackOnly: true,
      handle: (call: Call) => {
        const item = store.liveMedia(call.query.get("id") ?? "");
        if (item === undefined) return text(404, "not found");
        return {
          status: 200,
          type: MEDIA_MIME[item.format] ?? "application/octet-stream",
          body: item.bytes,
          headers: { "X-Content-Type-Options": "nosniff", "Cache-Control": "private, max-age=3600" },
        };
      },
    },
  ];
}
