import { existsSync, readFileSync } from "node:fs";
import { networkInterfaces } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { PAGE_CSP, pageDir, servePage } from "../../src/core/support/web-assets.js";
import { APP_ID } from "../helpers/fixtures.js";
import { SECRET } from "../helpers/platform.js";

// The pages are built by the tests' global setup (test/helpers/build-if-stale.ts) into dist/web/.
let mock: RunningMock;
beforeAll(async () => {
  mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET }).listen();
});
afterAll(() => mock.close());

describe("the core serves a built page (the mock's /phone)", () => {
  it("finds the built page from the sources, as the bundle and the installed package do", () => {
    const dir = pageDir("phone");
    expect(dir).toMatch(/dist[\\/]web[\\/]phone$/);
    expect(existsSync(`${dir}/index.html`)).toBe(true);
  });

  it("/phone redirects to /phone/, its index page, with the pages' CSP", async () => {
    const bare = await fetch(`${mock.origin}/phone`, { redirect: "manual" });
    expect(bare.status).toBe(302);
    expect(bare.headers.get("location")).toBe("/phone/");
    const page = await fetch(`${mock.phone}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(page.headers.get("content-security-policy")).toBe(PAGE_CSP);
    expect(page.headers.get("content-security-policy")).toContain("script-src 'self'");
    expect(page.headers.get("x-content-type-options")).toBe("nosniff");
    const html = await page.text();
    expect(html).toContain('src="./main.js"');
    expect(html).toBe(readFileSync(`${pageDir("phone")}/index.html`, "utf8"));
  });

  it("serves the script and the style with their types; an unchanged file is a 304 on its ETag", async () => {
    const script = await fetch(`${mock.phone}/main.js`);
    expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    expect(script.headers.get("cache-control")).toBe("no-cache");
    const etag = script.headers.get("etag") ?? "";
    expect(etag).toMatch(/^"[\w-]{20}"$/);
    const again = await fetch(`${mock.phone}/main.js`, { headers: { "If-None-Match": etag } });
    expect(again.status).toBe(304);
    expect(await again.text()).toBe("");
    const style = await fetch(`${mock.phone}/style.css`);
    expect(style.headers.get("content-type")).toBe("text/css; charset=utf-8");
    // WeUI, WeChat's own design library, is bundled in.
    expect(await style.text()).toContain(".weui-btn");
  });

  it("answers any other name, and every way out of the folder, with a short 404", async () => {
    for (const path of ["/phone/nothing.js", "/phone/..%2Fpackage.json", "/phone/../package.json", "/phone/.env"]) {
      const response = await fetch(`${mock.origin}${path}`);
      expect([404], path).toContain(response.status);
      expect(await response.text()).toBe("not found");
    }
    const direct = servePage("phone", "/phone");
    expect(direct("/phone/../../package.json")?.status).toBe(404);
    expect(direct("/phone/sub/main.js")?.status).toBe(404);
    expect(direct("/elsewhere")).toBeUndefined();
  });

  it("a page that was never built says so, briefly", () => {
    expect(servePage("no-such-page", "/x")("/x/")).toMatchObject({
      status: 503,
      body: expect.stringMatching(/not built/),
    });
  });

  const outside = Object.values(networkInterfaces())
    .flat()
    .find((address) => address?.family === "IPv4" && !address.internal)?.address;
  it.skipIf(outside === undefined)("is served to this machine only, as the control endpoints it drives", async () => {
    const open = await createMockPlatform({ host: "0.0.0.0", port: 0, appId: APP_ID, appSecret: SECRET }).listen();
    try {
      const far = await fetch(`http://${outside}:${open.port}/phone/`);
      expect(far.status).toBe(404);
      expect(await far.text()).toBe("not found");
      expect((await fetch(`http://127.0.0.1:${open.port}/phone/`)).status).toBe(200);
    } finally {
      await open.close();
    }
  });
});
