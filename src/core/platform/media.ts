import busboy from "busboy";
import { randomBytes } from "node:crypto";
import { MEDIA_MIME, MEDIA_RULES, type MediaType, sniffFormat } from "./media-format.js";
import type { ApiRoute, Call, PlatformContext, RawRoute } from "./route.js";
import { fail, ok, type Outcome, raw, text } from "./transport.js";

/** The first `media` part of a multipart upload, cut at `maxBytes + 1` (so a bigger file is told). */
interface Upload {
  bytes?: Buffer;
  filename: string;
  tooBig: boolean;
}

/** Reads the upload with busboy; undefined when the body is not multipart or breaks off (41005). */
function readUpload(call: Call, maxBytes: number): Promise<Upload | undefined> {
  return new Promise((resolve) => {
    let parser: busboy.Busboy;
    try {
      parser = busboy({
        headers: call.request.headers,
        limits: { fileSize: maxBytes + 1, files: 4, fields: 16, parts: 20, fieldSize: 4096 },
      });
    } catch {
      call.request.resume();
      resolve(undefined);
      return;
    }
    const upload: Upload = { filename: "", tooBig: false };
    const chunks: Buffer[] = [];
    parser.on("file", (name, stream, info) => {
      if (name !== "media" || upload.bytes !== undefined || upload.filename !== "") {
        stream.resume();
        return;
      }
      upload.filename = info.filename || "media";
      stream.on("data", (chunk: Buffer) => chunks.push(chunk));
      stream.on("limit", () => {
        upload.tooBig = true;
        chunks.length = 0;
      });
      stream.on("end", () => {
        upload.bytes = Buffer.concat(chunks);
      });
    });
    parser.on("close", () => resolve(upload));
    parser.on("error", () => {
      call.request.unpipe(parser);
      call.request.resume();
      resolve(undefined);
    });
    call.request.pipe(parser);
  });
}

/** Temporary media: media/upload (multipart field `media`) and media/get (the same bytes back). */
export function mediaRoutes(ctx: PlatformContext): { api: ApiRoute[]; raw: RawRoute[] } {
  const { store } = ctx;
  const upload = async (call: Call): Promise<Outcome> => {
    const type = call.query.get("type") ?? "";
    if (!(type in MEDIA_RULES)) {
      call.request.resume();
      return fail(40004, `type ${JSON.stringify(type)}: image, voice, video or thumb`);
    }
    const rule = MEDIA_RULES[type as MediaType];
    const got = await readUpload(call, rule.maxBytes);
    call.recordedBody =
      got?.bytes === undefined ? "(no media part)" : `(multipart: media ${got.filename}, ${got.bytes.length} bytes)`;
    if (got === undefined || (got.bytes === undefined && !got.tooBig))
      return fail(41005, 'no multipart part named "media"');
    if (got.tooBig) return fail(40006, `a ${type} is at most ${rule.maxBytes} bytes`);
    const bytes = got.bytes ?? Buffer.alloc(0);
    if (bytes.length === 0) return fail(44001, "the media part is empty");
    const format = sniffFormat(bytes);
    if (format === undefined || !(rule.formats as readonly string[]).includes(format))
      return fail(40005, `${got.filename} is ${format ?? "no known format"}; a ${type} is ${rule.formats.join("/")}`);
    const id = randomBytes(48).toString("base64url");
    const createdAt = store.clock.seconds();
    store.keepMedia({ id, type: type as MediaType, format, bytes, createdAt });
    // Captured answers: no errcode, and a thumb's id under thumb_media_id.
    return ok(
      type === "thumb"
        ? { type, thumb_media_id: id, created_at: createdAt }
        : { type, media_id: id, created_at: createdAt },
    );
  };
  const videoUrl = (id: string) => `${ctx.origin()}/wxdev-media/video?media_id=${encodeURIComponent(id)}`;
  return {
    api: [
      { method: "POST", path: "/cgi-bin/media/upload", token: true, handle: upload },
      {
        method: "GET",
        path: "/cgi-bin/media/get",
        token: true,
        errorType: "text/plain",
        handle: (call: Call) => {
          const item = store.liveMedia(call.query.get("media_id") ?? "");
          if (item === undefined) return fail(40007, "unknown media_id, or older than 3 days");
          if (item.type === "video")
            return raw({ status: 200, type: "text/plain", body: JSON.stringify({ video_url: videoUrl(item.id) }) });
          return raw({
            status: 200,
            type: MEDIA_MIME[item.format] ?? "application/octet-stream",
            body: item.bytes,
            headers: {
              "Content-disposition": `attachment; filename="${item.id}.${item.format}"`,
              "Cache-Control": "no-cache, must-revalidate",
            },
          });
        },
      },
    ],
    raw: [
      {
        method: "GET",
        path: "/wxdev-media/video",
        handle: (call: Call) => {
          const item = store.liveMedia(call.query.get("media_id") ?? "");
          if (item === undefined || item.type !== "video") return text(404, "not found");
          return { status: 200, type: "video/mp4", body: item.bytes };
        },
      },
    ],
  };
}
