import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { PNG } from "pngjs";
import QRCode from "qrcode";
import { createRequire } from "node:module";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MEDIA_LIFE_MS } from "../../src/core/platform/store.js";
import { control, errcodeOf, type Platform, startPlatform } from "../helpers/platform.js";

// jsQR: an independent QR decoder, to read the PNG back.
const jsQR = createRequire(import.meta.url)("jsqr") as typeof import("jsqr").default;

let platform: Platform;
let dir: string;
let png: Buffer;
beforeAll(async () => {
  platform = await startPlatform("compat");
  dir = mkdtempSync(join(tmpdir(), "wxdev-media-"));
  png = await QRCode.toBuffer("a picture to upload", { type: "png" });
  writeFileSync(join(dir, "photo.png"), png);
  // A JPEG's first bytes and a tail: the platform looks at the bytes, not the name.
  writeFileSync(join(dir, "thumb.jpg"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xe0]), Buffer.alloc(2000, 7)]));
  writeFileSync(join(dir, "big-thumb.jpg"), Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.alloc(70_000)]));
  writeFileSync(join(dir, "notes.jpg"), "plain text, not a picture");
  writeFileSync(join(dir, "empty.png"), "");
});
afterAll(async () => {
  await platform.close();
  rmSync(dir, { recursive: true, force: true });
});

describe("temporary media through wechat-api", () => {
  it("upload (multipart from wechat-api's formstream) and media/get give the same bytes back", async () => {
    const uploaded = await platform.sdk("uploadMedia", join(dir, "photo.png"), "image");
    expect(uploaded).toEqual({
      type: "image",
      media_id: expect.stringMatching(/^[\w-]{64}$/),
      created_at: expect.any(Number),
    });
    const bytes = await platform.sdk("getMedia", uploaded.media_id);
    expect(Buffer.isBuffer(bytes)).toBe(true);
    expect(Buffer.compare(bytes, png)).toBe(0);
    const { accessToken } = await platform.sdk("getAccessToken");
    const query = `access_token=${accessToken}&media_id=${uploaded.media_id}`;
    const response = await fetch(`${platform.mock.origin}/cgi-bin/media/get?${query}`);
    expect(response.headers.get("content-type")).toBe("image/png");
  });

  it("a thumb answers thumb_media_id; 64 KB is its limit (40006); the bytes decide the format (40005)", async () => {
    expect(await platform.sdk("uploadMedia", join(dir, "thumb.jpg"), "thumb")).toEqual({
      type: "thumb",
      thumb_media_id: expect.stringMatching(/^[\w-]{64}$/),
      created_at: expect.any(Number),
    });
    expect(await errcodeOf(platform.sdk("uploadMedia", join(dir, "big-thumb.jpg"), "thumb"))).toBe(40006);
    expect(await errcodeOf(platform.sdk("uploadMedia", join(dir, "notes.jpg"), "image"))).toBe(40005);
    expect(await errcodeOf(platform.sdk("uploadMedia", join(dir, "photo.png"), "voice"))).toBe(40005);
    expect(await errcodeOf(platform.sdk("uploadMedia", join(dir, "photo.png"), "file"))).toBe(40004);
    expect(await errcodeOf(platform.sdk("uploadMedia", join(dir, "empty.png"), "image"))).toBe(44001);
  });

  it("media/get of an unknown id: 40007 as text/plain (wechat-api parses only that); gone after 3 days", async () => {
    // wechat-api's getMedia reads the error (no code) only from a text/plain or application/json answer.
    const gone = (id: string) =>
      platform.sdk("getMedia", id).then(
        () => "ok",
        (error: Error) => error.message,
      );
    expect(await gone("nope")).toMatch(/^invalid media_id rid: /);
    const { media_id } = await platform.sdk("uploadMedia", join(dir, "photo.png"), "image");
    platform.advance(MEDIA_LIFE_MS - 1_000);
    await platform.sdk("getAccessToken");
    expect(await gone(media_id)).toBe("ok");
    platform.advance(1_000);
    expect(await gone(media_id)).toMatch(/^invalid media_id rid: /);
    await platform.sdk("getAccessToken");
  });

  it("a MediaId the account does not hold in the app's reply is flagged", async () => {
    await platform.sdk("getAccessToken");
    const { media_id } = await platform.sdk("uploadMedia", join(dir, "photo.png"), "image");
    const reply = async (id: string) => {
      const answer = await control(platform.mock.origin, "message", {
        message: "text",
        fields: { Content: `图片 ${id}` },
      });
      return answer.exchange as { ok: boolean; problems: { code: string }[] };
    };
    const codes = (exchange: { problems: { code: string }[] }) => exchange.problems.map((problem) => problem.code);
    // node-webot writes CreateTime in milliseconds: a warning of its own, whatever the MediaId.
    const known = await reply(String(media_id));
    expect(known.ok).toBe(true);
    expect(codes(known)).not.toContain("unknown-media");
    const unknown = await reply("MKd5Tfk3bHSqtcAsmmG4gtsoK5jUHXAKbYm8Tyr2FbDT1Hd-ZySnRwLr9E_GYCZm");
    expect(unknown.ok).toBe(false);
    expect(codes(unknown)).toContain("unknown-media");
  });
});

describe("QR codes with a scene", () => {
  it("create a temporary code, show it as a PNG whose QR code holds the code's url; scanning pushes", async () => {
    const created = await platform.sdk("createTmpQRCode", 123, 600);
    expect(created).toEqual({
      ticket: expect.any(String),
      expire_seconds: 600,
      url: expect.stringMatching(/^http:\/\/weixin\.qq\.com\/q\/02/),
    });
    const response = await fetch(platform.sdkUrl("showQRCodeURL", created.ticket as string));
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toBe("image/png");
    const image = PNG.sync.read(Buffer.from(await response.arrayBuffer()));
    expect(jsQR(new Uint8ClampedArray(image.data), image.width, image.height)?.data).toBe(created.url);

    const first = await control(platform.mock.origin, "scan", { ticket: created.ticket });
    const newcomer = String(first.openid);
    const subscribe = await platform.receivedWhere((m) => m.FromUserName === newcomer && m.Event === "subscribe");
    expect(subscribe).toMatchObject({ EventKey: "qrscene_123", Ticket: created.ticket });
    const info = await platform.sdk("getUser", newcomer);
    expect(info).toMatchObject({ subscribe: 1, subscribe_scene: "ADD_SCENE_QR_CODE", qr_scene: 123 });
    await control(platform.mock.origin, "scan", { ticket: created.ticket, openid: newcomer });
    expect(await platform.receivedWhere((m) => m.FromUserName === newcomer && m.Event === "SCAN")).toMatchObject({
      EventKey: "123",
    });
    // A scan opened the 1-minute window.
    expect(await errcodeOf(platform.sdk("sendText", newcomer, "欢迎"))).toBe("ok");
  });

  it("permanent codes: no expire_seconds, one ticket per scene; bad bodies 40052/40053; expired: 404", async () => {
    const one = await platform.sdk("createLimitQRCode", "shop-7");
    expect(Object.keys(one)).toEqual(["ticket", "url"]);
    expect((await platform.sdk("createLimitQRCode", "shop-7")).ticket).toBe(one.ticket);
    expect(await errcodeOf(platform.sdk("createLimitQRCode", 100_001))).toBe(40053);
    expect(await errcodeOf(platform.sdk("createTmpQRCode", 0, 60))).toBe(40053);
    const { accessToken } = await platform.sdk("getAccessToken");
    const bad = await fetch(`${platform.mock.origin}/cgi-bin/qrcode/create?access_token=${accessToken}`, {
      method: "POST",
      body: JSON.stringify({ action_name: "QR_FOREVER", action_info: { scene: { scene_id: 1 } } }),
    });
    expect(((await bad.json()) as { errcode: number }).errcode).toBe(40052);
    const short = await platform.sdk("createTmpQRCode", 5, undefined);
    expect(short.expire_seconds).toBe(60);
    platform.advance(60_000);
    expect((await fetch(platform.sdkUrl("showQRCodeURL", short.ticket as string))).status).toBe(404);
    expect((await fetch(platform.sdkUrl("showQRCodeURL", one.ticket as string))).status).toBe(200);
  });
});
