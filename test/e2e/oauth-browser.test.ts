import { chromium, type Browser, type BrowserContext } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { browserMissing, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.js";
import { startMock } from "../helpers/processes.js";
import { startServe } from "../helpers/wechat-servers.js";

const missing = browserMissing();
if (missing) console.warn(`skipping the browser tests: ${missing}`);

const env = { WXDEV_APP_ID: "wxbrowser", WXDEV_APP_SECRET: "browsersecret", WXDEV_TOKEN: "browsertoken" };

describe.skipIf(missing !== undefined)("web authorisation in a real browser (headless Chromium)", () => {
  let browser: Browser;
  /** One context for the file's pages (a page of its own each): nothing here keeps cookies or storage. */
  let context: BrowserContext;
  let mock: Awaited<ReturnType<typeof startMock>>;
  let serve: Awaited<ReturnType<typeof startServe>>;
  let mockBase = "";
  let servePort = 0;

  beforeAll(async () => {
    // serve needs the mock's address: the mock first, each on a port the system picks
    [mock, browser] = await Promise.all([
      startMock(["--callback-domain", "127.0.0.1"], env),
      chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
    ]);
    context = await browser.newContext();
    mockBase = mock.origin;
    serve = await startServe(["--api-base", mockBase], env);
    servePort = Number(new URL(serve.url).port);
  }, 60_000);

  afterAll(async () => {
    await Promise.all([browser?.close(), mock?.stop(), serve?.stop()]);
  });

  async function authorizeUrl(scope: string): Promise<string> {
    const result = await runCli(
      [
        "oauth-url",
        "--redirect-uri",
        `http://127.0.0.1:${servePort}/index`,
        "--scope",
        scope,
        "--state",
        "e2e",
        "--base",
        mockBase,
      ],
      { env },
    );
    expect(result.code).toBe(0);
    return result.stdout.trim();
  }

  it("opens the authorize URL, clicks allow, lands on serve's /index and shows the nickname", async () => {
    const page = await context.newPage();
    await page.goto(await authorizeUrl("snsapi_userinfo"));
    await page.getByLabel("小明🌟").check();
    await page.click("#allow");
    await page.waitForURL(/\/index\?code=/);
    expect(new URL(page.url()).searchParams.get("state")).toBe("e2e");
    expect(await page.textContent("#nickname")).toBe("小明🌟");
    expect(await page.textContent("#openid")).toMatch(/^o[\w-]{27}$/);
    expect(await page.getAttribute("#avatar", "src")).toMatch(new RegExp(`^${mockBase}/avatar/1\\.svg$`));
    // Reloading reuses the code: the page explains 40163 instead of crashing.
    await page.reload();
    expect(await page.textContent("#errcode")).toBe("40163");
    expect(await page.textContent("body")).toMatch(/works once/);
    await page.close();
  });

  it("snsapi_base goes straight through to /index with the openid only", async () => {
    const page = await context.newPage();
    await page.goto(await authorizeUrl("snsapi_base"));
    await page.waitForURL(/\/index\?code=/);
    expect(await page.textContent("#openid")).toMatch(/^o[\w-]{27}$/);
    expect(await page.locator("#nickname").count()).toBe(0);
    await page.close();
  });

  it("a redirect outside the callback domain shows the 10003 page", async () => {
    const page = await context.newPage();
    const url = (await authorizeUrl("snsapi_base")).replace("127.0.0.1%3A", "localhost%3A");
    await page.goto(url);
    expect(await page.textContent("#errcode")).toBe("10003");
    await page.close();
  });
});
