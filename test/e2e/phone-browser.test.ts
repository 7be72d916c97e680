import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { PNG as PNGImage } from "pngjs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTarget } from "../../src/core/client/target.js";
import { createMockPlatform, type RunningMock } from "../../src/core/platform/server.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { browserMissing, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { type PhoneApp, phoneAppPort, startPhoneApp } from "../helpers/phone-app.js";
import { postApi, SECRET, type Sdk, sdkFor, TOKEN } from "../helpers/platform.js";

const missing = browserMissing();
if (missing) console.warn(`skipping the phone page's browser tests: ${missing}`);

/** Where the screenshots go (test output, ignored by git; docs/phone.png is one of them, kept for the README). */
const SHOTS = fileURLToPath(new URL("../../test-results/phone/", import.meta.url));
const FAILURE = "该公众号提供的服务出现故障，请稍后再试";
/** A picture the follower sends: a 64×64 green square. */
const PNG = (() => {
  const image = new PNGImage({ width: 64, height: 64 });
  for (let at = 0; at < image.data.length; at += 4) image.data.set([7, 193, 96, 255], at);
  return PNGImage.sync.write(image);
})();

let browser: Browser;
beforeAll(async () => {
  if (missing !== undefined) return;
  mkdirSync(SHOTS, { recursive: true });
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 60_000);
afterAll(() => browser?.close());

describe.skipIf(missing !== undefined).each(["plain", "safe"] as const)(
  "the phone page in headless Chromium, a Flask app in %s mode",
  (mode) => {
    let dir: string;
    let mock: RunningMock;
    let app: PhoneApp;
    let sdk: Sdk;
    let context: BrowserContext;
    let page: Page;
    const errors: string[] = [];
    const shot = (name: string) => page.screenshot({ path: join(SHOTS, `${mode}-${name}.png`) });
    const thread = () => page.getByRole("list", { name: "聊天记录" });
    const panel = () => page.getByRole("complementary", { name: "开发者面板" });
    // With a menu, the client shows the menu bar: the keyboard button brings the input back.
    const keyboard = async () => {
      if (!(await page.getByRole("textbox", { name: "消息" }).isVisible()))
        await page.getByRole("button", { name: "切换到键盘" }).click();
    };
    const say = async (text: string) => {
      await keyboard();
      const input = page.getByRole("textbox", { name: "消息" });
      await input.fill(text);
      await input.press("Enter");
    };
    const lastAccountBubble = () => thread().locator(".row-account .bubble").last();

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "wxdev-phone-"));
      const appPort = await phoneAppPort();
      const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
      const push = createTarget({ url: `http://127.0.0.1:${appPort}/wechat`, token: TOKEN, mode, crypto });
      mock = await createMockPlatform({ port: 0, appId: APP_ID, appSecret: SECRET, push }).listen();
      app = await startPhoneApp(dir, appPort, {
        token: TOKEN,
        appId: APP_ID,
        secret: SECRET,
        aesKey: KEY,
        mock: mock.origin,
      });
      sdk = sdkFor(mock.origin);
      context = await browser.newContext({ viewport: { width: 1200, height: 820 }, locale: "zh-CN" });
      page = await context.newPage();
      page.on("pageerror", (error) => errors.push(error.message));
      page.on("console", (message) => {
        if (message.type() === "error") errors.push(message.text());
      });
      await page.goto(mock.phone);
      // Polled from here: waitForFunction's own polling evaluates a string in the page, which its CSP forbids
      // (unsafe-eval) once the first try, on a busy machine, comes too early.
      for (const until = Date.now() + 30_000; (await page.locator("#follower").inputValue()) === ""; ) {
        if (Date.now() > until) throw new Error("the phone page named no follower within 30 s");
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    }, 60_000);

    afterAll(async () => {
      await context?.close();
      await mock?.close();
      await app?.stop();
      rmSync(dir, { recursive: true, force: true });
    });

    it("a typed message and its echo; the app's <script> shows as text and never runs", async () => {
      const text = "你好 <script>window.pwned = 1</script> <img src=x onerror=window.pwned=2> 😀";
      await say(text);
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe(text);
      expect(await thread().locator(".row-me .bubble").last().textContent()).toBe(text);
      expect(await thread().locator("script, img[src=x]").count()).toBe(0);
      expect(await page.evaluate("window.pwned")).toBeUndefined();
      // The panel shows the exchange from its own record, with the verdicts.
      await expect
        .poll(() =>
          panel()
            .getByRole("region", { name: /text message/ })
            .count(),
        )
        .toBeGreaterThan(0);
      const exchange = panel()
        .getByRole("region", { name: /text message/ })
        .first();
      expect(await exchange.textContent()).toContain("no problems");
      expect(await exchange.textContent()).toContain(mode === "safe" ? "request (decrypted)" : "request");
      await shot("echo");
    });

    it("a news card; the rest of the articles dropped with a note; a javascript: Url is no link", async () => {
      await say("图文");
      const card = thread().getByRole("article", { name: "第1篇文章" }).last();
      await card.waitFor({ timeout: 10_000 });
      expect(await card.locator("a").getAttribute("href")).toBe("http://127.0.0.1/article");
      expect(await card.textContent()).toContain("摘要1");
      await say("三篇");
      await thread().getByText("其余 2 篇被微信丢弃", { exact: false }).waitFor({ timeout: 10_000 });
      expect(await thread().getByRole("article", { name: "第2篇文章" }).count()).toBe(0);
      await say("坏链接");
      await expect.poll(() => thread().getByRole("article", { name: "第1篇文章" }).count()).toBe(3);
      const bad = thread().getByRole("article", { name: "第1篇文章" }).last();
      expect(await bad.locator("a").count()).toBe(0);
      await shot("news");
    });

    it("a menu made with menu/create is drawn live; a click sends CLICK with its key", async () => {
      const authorize =
        `${mock.origin}/connect/oauth2/authorize?appid=${APP_ID}` +
        `&redirect_uri=${encodeURIComponent(`${app.origin}/index`)}&response_type=code&scope=snsapi_base` +
        "&state=phone#wechat_redirect";
      await sdk("createMenu", {
        button: [
          { type: "click", name: "今日歌曲", key: "V1001_TODAY_MUSIC" },
          {
            name: "菜单",
            sub_button: [
              { type: "view", name: "网页", url: authorize },
              { type: "click", name: "赞一下我们", key: "V1001_GOOD" },
            ],
          },
        ],
      });
      const song = page.getByRole("button", { name: "今日歌曲" });
      await song.waitFor({ timeout: 10_000 });
      await song.click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("点击了 V1001_TODAY_MUSIC");
      await page.getByRole("button", { name: "菜单", exact: true }).click();
      await shot("menu");
      await page.getByRole("menuitem", { name: "赞一下我们" }).click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("点击了 V1001_GOOD");
    });

    it("a VIEW goes to the app and opens the URL: the mock's authorisation, then the app's /index?code=", async () => {
      await page.getByRole("button", { name: "菜单", exact: true }).click();
      const opened = context.waitForEvent("page");
      await page.getByRole("menuitem", { name: "网页" }).click();
      const tab = await opened;
      await tab.waitForURL(/\/index\?code=/, { timeout: 10_000 });
      expect(new URL(tab.url()).origin).toBe(app.origin);
      expect(await tab.textContent("#openid")).toBe(await page.getByLabel("关注者").inputValue());
      await tab.close();
      await panel()
        .getByRole("region", { name: /event VIEW/ })
        .first()
        .waitFor({ timeout: 10_000 });
    });

    it("scanning a QR code from qrcode/create as a new user: subscribe with qrscene_ and its scene", async () => {
      const before = await page.getByLabel("关注者").inputValue();
      await sdk("createTmpQRCode", 4242, 600);
      await page.getByRole("button", { name: "扫一扫" }).click();
      const dialog = page.getByRole("dialog", { name: "扫一扫" });
      await expect.poll(() => dialog.getByLabel("二维码").textContent()).toContain("4242");
      await dialog.getByLabel("扫码的人").selectOption({ label: "新用户" });
      await dialog.getByRole("button", { name: "确定" }).click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("subscribe qrscene_4242");
      expect(await page.getByLabel("关注者").inputValue()).not.toBe(before);
    });

    it("a customer-service message the app sends through the API arrives live", async () => {
      await say("客服");
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("客服来了 <b>hi</b>");
      expect(await thread().locator("b").count()).toBe(0);
    });

    it("a template message arrives as the client's card", async () => {
      await say("模板");
      const card = thread().getByRole("article", { name: "预约成功通知" });
      await card.waitFor({ timeout: 10_000 });
      const text = await card.textContent();
      for (const part of ["预约项目", "体检", "预约时间", "2024年5月4日 09:00", "预约人", "张三", "详情"])
        expect(text).toContain(part);
      await shot("template");
    });

    it("customer-service messages of each kind, drawn as the client draws them; a msgmenu choice is sent back", async () => {
      await say("开个窗口");
      const { accessToken } = (await sdk("getAccessToken")) as unknown as { accessToken: string };
      const openid = await page.getByLabel("关注者").inputValue();
      const send = async (message: Record<string, unknown>) => {
        const answer = await postApi(mock.origin, `/cgi-bin/message/custom/send?access_token=${accessToken}`, {
          touser: openid,
          ...message,
        });
        expect(answer).toMatchObject({ errcode: 0 });
      };
      await send({
        msgtype: "text",
        text: { content: '课表见 <a href="http://127.0.0.1/timetable">这里</a>，或 https://example.com/a 😀' },
      });
      const linked = thread().getByRole("link", { name: "这里" }).last();
      await linked.waitFor({ timeout: 10_000 });
      expect(await linked.getAttribute("href")).toBe("http://127.0.0.1/timetable");
      expect(await thread().getByRole("link", { name: "https://example.com/a" }).last().getAttribute("href")).toBe(
        "https://example.com/a",
      );
      await send({
        msgtype: "news",
        news: { articles: [{ title: "客服图文", description: "一篇", url: "https://example.com/n", picurl: "" }] },
      });
      const news = thread().getByRole("article", { name: "客服图文" });
      await news.waitFor({ timeout: 10_000 });
      expect(await news.locator("a").getAttribute("href")).toBe("https://example.com/n");
      await send({
        msgtype: "msgmenu",
        msgmenu: { head_content: "满意吗？", list: [{ id: "101", content: "满意" }], tail_content: "谢谢" },
      });
      await thread().getByRole("link", { name: "满意" }).last().click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("满意");
      const tapped = panel()
        .getByRole("region", { name: /text message/ })
        .first();
      expect(await tapped.textContent()).toMatch(/<bizmsgmenuid>(<!\[CDATA\[)?101\b/);
      await shot("custom");
    });

    it("the other menu buttons send what WeChat sends: a scan result, pictures, a place", async () => {
      await sdk("createMenu", {
        button: [
          {
            name: "更多功能",
            sub_button: [
              { type: "scancode_waitmsg", name: "扫码等待", key: "SCAN_W" },
              { type: "pic_photo_or_album", name: "发图", key: "PIC" },
              { type: "location_select", name: "发位置", key: "LOC" },
            ],
          },
        ],
      });
      const more = page.getByRole("button", { name: "更多功能" });
      await more.waitFor({ timeout: 10_000 });
      await more.click();
      await page.getByRole("menuitem", { name: "扫码等待" }).click();
      const scan = page.getByRole("dialog", { name: "扫一扫：扫到的内容" });
      await scan.getByLabel("扫描结果").fill("hello-scan");
      await scan.getByRole("button", { name: "确定" }).click();
      await expect
        .poll(() => lastAccountBubble().textContent(), { timeout: 10_000 })
        .toBe("scancode_waitmsg SCAN_W hello-scan");

      await more.click();
      await page.getByRole("menuitem", { name: "发图" }).click();
      const pick = page.getByRole("dialog", { name: "选择图片" });
      await pick.getByLabel("图片").setInputFiles({ name: "dot.png", mimeType: "image/png", buffer: PNG });
      await pick.getByRole("button", { name: "确定" }).click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("收到图片");
      const texts = await thread().locator(".row-account .bubble").allTextContents();
      expect(texts.at(-2)).toBe("pic_photo_or_album PIC 1");
      // The picture the follower sent, from the mock's media.
      const sent = thread().locator(".row-me img").last();
      await expect
        .poll(() => sent.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth))
        .toBe(64);

      await more.click();
      await page.getByRole("menuitem", { name: "发位置" }).click();
      await page.getByRole("dialog", { name: "发送位置" }).getByRole("button", { name: "确定" }).click();
      await expect
        .poll(() => lastAccountBubble().textContent(), { timeout: 10_000 })
        .toBe("位置 北京市东城区天安门广场");
      const after = await thread().locator(".row-account .bubble").allTextContents();
      expect(after.at(-2)).toBe("location_select LOC 北京市东城区天安门广场");
      await shot("menu-types");
    });

    it("＋ sends a picture: stored in the mock's media, the app gets its PicUrl and MediaId", async () => {
      await keyboard();
      await page.getByRole("button", { name: "更多" }).click();
      await page.getByRole("dialog", { name: "发送" }).getByRole("button", { name: "图片" }).click();
      const pick = page.getByRole("dialog", { name: "发送图片" });
      await pick.getByLabel("图片").setInputFiles({ name: "green.png", mimeType: "image/png", buffer: PNG });
      await pick.getByRole("button", { name: "确定" }).click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toBe("收到图片");
      const image = panel()
        .getByRole("region", { name: /image message/ })
        .first();
      expect(await image.textContent()).toContain("/_wxdev/media?id=");
    });

    it("unfollow and follow again: the follower stays in the list, marked, and gets the welcome again", async () => {
      const me = await page.getByLabel("关注者").inputValue();
      await page.getByRole("button", { name: "取消关注" }).click();
      await page.getByRole("button", { name: "关注", exact: true }).waitFor({ timeout: 10_000 });
      expect(await page.getByLabel("关注者").locator("option:checked").textContent()).toBe(`${me}（已取消关注）`);
      await page.getByRole("button", { name: "关注", exact: true }).click();
      await expect.poll(() => lastAccountBubble().textContent(), { timeout: 10_000 }).toMatch(/^subscribe\s*$/);
      expect(await page.getByLabel("关注者").inputValue()).toBe(me);
    });

    it("a reply to another user, an unknown MediaId: the client's notice, and the panel names the problem", async () => {
      await say("错人");
      await expect.poll(() => thread().getByText(FAILURE).count(), { timeout: 10_000 }).toBe(1);
      const exchange = panel()
        .getByRole("region", { name: /text message/ })
        .first();
      expect(await exchange.textContent()).toContain("oSomebodyElse");
      expect(await exchange.textContent()).toContain("the follower sees the failure notice");
      // An image reply whose MediaId the account does not hold: the same notice, and why.
      await say("坏图");
      await expect.poll(() => thread().getByText(FAILURE).count(), { timeout: 10_000 }).toBe(2);
      const media = panel()
        .getByRole("region", { name: /text message/ })
        .first();
      // The panel hears of the exchange on its own (after the thread's notice): waited for, as a person would.
      await expect.poll(() => media.textContent(), { timeout: 10_000 }).toContain("unknown-media");
    });

    it("no answer within 5 s, after WeChat's 3 tries: the client's notice, and the panel says why", async () => {
      const notices = await thread().getByText(FAILURE).count();
      expect(notices).toBe(2);
      await say("慢");
      // Fifteen seconds of WeChat's tries: looked at twice a second, not at the 50 ms a poll takes by default.
      await expect
        .poll(() => thread().getByText(FAILURE).count(), { timeout: 30_000, interval: 500 })
        .toBe(notices + 1);
      const last = panel()
        .getByRole("region", { name: /第 3 次/ })
        .first();
      await last.waitFor({ timeout: 5_000 });
      expect(await last.textContent()).toContain("timeout");
      await page.getByRole("button", { name: "切换到菜单" }).click();
      await shot("timeout");
      expect(errors).toEqual([]);
    }, 45_000);
  },
);
