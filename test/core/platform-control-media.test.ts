import { createHash } from "node:crypto";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { APP_ID } from "../helpers/fixtures.js";
import { SECRET } from "../helpers/platform.js";

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64",
);

let mock: RunningMock;
beforeAll(async () => {
  mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET }).listen();
});
afterAll(() => mock.close());

const upload = (body: Buffer | string, type = "application/octet-stream") =>
  fetch(`${mock.origin}/_wxdev/upload`, { method: "POST", body, headers: { "Content-Type": type } });

describe("the phone page's pictures: /_wxdev/upload and /_wxdev/media", () => {
  it("keeps a picture as the account's image and gives it back by id, with its md5 (a pic_* event's PicMd5Sum)", async () => {
    const response = await upload(PNG);
    expect(response.status).toBe(200);
    const stored = (await response.json()) as { media_id: string; url: string; md5: string };
    expect(stored.md5).toBe(createHash("md5").update(PNG).digest("hex"));
    expect(stored.url).toBe(`${mock.origin}/_wxdev/media?id=${stored.media_id}`);
    expect(mock.store.liveMedia(stored.media_id)).toMatchObject({ type: "image", format: "png" });
    const back = await fetch(stored.url);
    expect(back.headers.get("content-type")).toBe("image/png");
    expect(back.headers.get("x-content-type-options")).toBe("nosniff");
    expect(Buffer.from(await back.arrayBuffer())).toEqual(PNG);
  });

  it("refuses what a page elsewhere could send without a preflight, and what is no picture", async () => {
    expect((await upload(PNG, "text/plain")).status).toBe(415);
    expect((await upload(PNG, "multipart/form-data; boundary=x")).status).toBe(415);
    const html = await upload("<html><script>alert(1)</script></html>");
    expect(html.status).toBe(400);
    expect(((await html.json()) as { error: string }).error).toMatch(/not a picture/);
    expect((await fetch(`${mock.origin}/_wxdev/media?id=nothing`)).status).toBe(404);
  });
});
