import { execFileSync } from "node:child_process";
import { request } from "node:http";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parseRecords } from "../../src/core/wire/exchange-record.js";
import { INSPECT_KEEP } from "../../src/core/inspect/store.js";
import { signature } from "../../src/core/wire/signature.js";
import { browserMissing, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.js";
import { BIN, runCli } from "../helpers/cli.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { inspectUrl, row, screenshot } from "../helpers/inspect.js";
import { type RunningCommand, printedOrigin, startCommand } from "../helpers/processes.js";
import { tempDirs } from "../helpers/temp.js";

/** Polls as a person waits for a page (a loaded machine makes the page slower than vitest's 1 s default). */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });
const missing = browserMissing();
const temp = tempDirs();
const TOKEN = "inspecttoken";
const env = { WXDEV_TOKEN: TOKEN, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };

/** A GET through node:http with the Host header a browser would send for another name. */
function getWithHost(url: string, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { headers: { Host: host } }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end();
  });
}

describe.skipIf(missing !== undefined)(
  "the inspector page of serve --mode safe --inspect (headless Chromium)",
  { timeout: 90_000 },
  () => {
    let browser: Browser;
    /** The pages' one context (a page of its own each): the inspector keeps no cookies or storage. */
    let context: BrowserContext;
    let serve: RunningCommand;
    let page: Page;
    let callback = "";
    let inspector = "";

    beforeAll(async () => {
      [serve, browser] = await Promise.all([
        startCommand(["serve", "--port", "0", "--mode", "safe", "--inspect", "0"], env, /inspect: http/),
        chromium.launch({
          executablePath: CHROMIUM,
          // evil.test is a name an attacker's page could point at 127.0.0.1 (DNS rebinding).
          args: [...CHROMIUM_ARGS, "--host-resolver-rules=MAP evil.test 127.0.0.1"],
        }),
      ]);
      callback = `${printedOrigin(serve.output())}/wechat8013`;
      inspector = inspectUrl(serve.output());
      context = await browser.newContext({ viewport: { width: 1400, height: 900 } });
      page = await context.newPage();
      await page.goto(inspector);
      await page.getByText("● live").waitFor();
    }, 60_000);

    afterAll(async () => {
      await Promise.all([browser?.close(), serve?.stop()]);
    });

    it("shows a simulate text live, decrypted beside its ciphertext, with both signatures valid", async () => {
      const sent = await runCli(["simulate", "text", "你好 inspector", "--url", callback, "--mode", "safe"], { env });
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      // No reload: the row arrives over the page's event stream.
      await row(page, "text").first().click();
      const detail = page.getByRole("region", { name: "Exchange" });
      await poll(() => detail.getByLabel("Decrypted message").textContent()).toContain("你好 inspector");
      const ciphertext = await detail.getByLabel("Ciphertext").textContent();
      expect(ciphertext).toMatch(/^[A-Za-z0-9+/=]{40,}$/);
      expect(ciphertext).not.toContain("inspector");
      expect(await detail.getByRole("list", { name: "Signatures" }).textContent()).toMatch(
        /signature ✓ valid.*msg_signature ✓ valid/,
      );
      const fields = detail.getByRole("table", { name: "Fields" });
      expect(await fields.getByRole("row", { name: /Content/ }).textContent()).toContain("你好 inspector");
      expect(await detail.getByLabel("Decrypted reply").textContent()).toContain("<Content><![CDATA[你好 inspector]]>");
      expect(await detail.getByLabel("Verdicts").textContent()).toContain("WeChat would accept this answer");
      // The Token is shown masked, never whole.
      expect(await page.content()).not.toContain(TOKEN);
      await screenshot(page, "inspect-serve-text");
    });

    it("a forged request: its 403, the reason, and which signature input is wrong", async () => {
      const forged = await fetch(`${callback}?signature=${"0".repeat(40)}&timestamp=1&nonce=2&encrypt_type=aes`, {
        method: "POST",
        body: "<xml><Encrypt><![CDATA[AAAA]]></Encrypt></xml>",
      });
      expect(forged.status).toBe(403);
      await row(page, "403").first().click();
      const detail = page.getByRole("region", { name: "Exchange" });
      await poll(() => detail.getByLabel("Reason").textContent()).toBe("Why: invalid signature");
      expect(await detail.getByRole("list", { name: "Signatures" }).textContent()).toContain(
        "signature ✗ the Token differs from this one, or the timestamp or nonce changed after signing",
      );
      // serve's refusal is no answer WeChat would judge: the page does not call it accepted.
      expect(await detail.getByLabel("Verdicts").textContent()).toBe(
        "— nothing to judge: the server refused the request (invalid signature)",
      );
      await screenshot(page, "inspect-serve-forged");
    });

    it("Replay sends the message again: it reaches serve (a new row) and the answer is the same", async () => {
      await page.getByRole("combobox", { name: "Status" }).selectOption("2xx");
      const before = await page.getByRole("table", { name: "Exchange list" }).locator("tbody tr").count();
      await row(page, "text").first().click();
      const detail = page.getByRole("region", { name: "Exchange" });
      await detail.getByRole("button", { name: "Replay", exact: true }).click();
      await poll(() => detail.getByRole("region", { name: "Replay result" }).locator("output").textContent()).toBe(
        "same",
      );
      expect(await detail.getByLabel("Today's answer").textContent()).toContain("你好 inspector");
      // The same MsgId again: the page groups both deliveries (serve answers from its cache within 20 s, else anew).
      await poll(() => row(page, /×2 · handled [12]×/).count()).toBe(1);
      expect(await page.getByRole("table", { name: "Exchange list" }).locator("tbody tr").count()).toBe(before);
      await screenshot(page, "inspect-serve-replay");
    });

    it("Edit and replay: the edited message goes out sealed afresh, and the page shows what changed", async () => {
      const detail = page.getByRole("region", { name: "Exchange" });
      await detail.getByRole("button", { name: "Edit and replay" }).click();
      const editor = detail.getByRole("textbox", { name: "Message XML" });
      const xml = await editor.inputValue();
      await editor.fill(xml.replace("你好 inspector", "edited 改过").replace(/<MsgId>\d+/, "<MsgId>1234567890123"));
      await detail.getByRole("button", { name: "Send edited" }).click();
      const changes = detail.getByRole("table", { name: "Changes" });
      await poll(() => changes.getByRole("row", { name: /Content/ }).textContent()).toContain("edited 改过");
      expect(await detail.getByRole("region", { name: "Replay result" }).locator("output").textContent()).toBe(
        "differs",
      );
    });

    it("Copy as wxdev simulate gives a command that works; Copy as curl sends the request as it was", async () => {
      await page.getByRole("combobox", { name: "Status" }).selectOption("");
      await row(page, /×2 · handled/).click();
      const detail = page.getByRole("region", { name: "Exchange" });
      await detail.getByRole("button", { name: "Copy as wxdev simulate" }).click();
      const command = await detail.getByLabel("Command").textContent();
      expect(command).toMatch(
        /^printf '%s' '<xml>.*' \| wxdev simulate --file - --url http:\/\/127\.0\.0\.1:\d+\/wechat8013 --mode safe$/,
      );
      const ran = execFileSync("bash", ["-c", (command ?? "").replace("| wxdev ", `| ${process.execPath} ${BIN} `)], {
        env: { ...process.env, ...env, NO_COLOR: "1" },
        encoding: "utf8",
      });
      expect(ran).toContain("✓ WeChat would accept this answer");
      await detail.getByRole("button", { name: "Copy as curl" }).click();
      const curl = await detail.getByLabel("Command").textContent();
      expect(curl).toMatch(/^curl -X POST 'http:\/\/127\.0\.0\.1:\d+\/wechat8013\?signature=.*--data-binary '<xml>/);
    });

    it("Save as NDJSON downloads records that wxdev inspect opens again", async () => {
      const detail = page.getByRole("region", { name: "Exchange" });
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        detail.getByRole("link", { name: "Save as NDJSON" }).click(),
      ]);
      const file = join(temp("wxdev-inspect-"), "saved.ndjson");
      await download.saveAs(file);
      const records = parseRecords(readFileSync(file, "utf8"));
      expect(records).toHaveLength(1);
      expect(records[0]).toMatchObject({ method: "POST", status: 200, kind: "text", encrypted: true });
      const opened = await startCommand(["inspect", file, "--port", "0"], env, /inspect: http/);
      try {
        const other = await context.newPage();
        await other.goto(inspectUrl(opened.output()));
        await row(other, "text").first().click();
        const shown = other.getByRole("region", { name: "Exchange" });
        await poll(() => shown.getByLabel("Decrypted message").textContent()).toMatch(/你好 inspector|edited/);
        expect(await other.getByRole("heading", { level: 1 }).textContent()).toContain("saved.ndjson");
        await screenshot(other, "inspect-recording");
        await other.close();
      } finally {
        await opened.stop();
      }
    });

    it("Save selection saves every delivery of the rows ticked in the list", async () => {
      // The group of the first message: the simulate, the replay, the copied command's send.
      const group = row(page, /×\d · handled/).first();
      const deliveries = Number(/×(\d)/.exec((await group.textContent()) ?? "")?.[1]);
      expect(deliveries).toBeGreaterThanOrEqual(3);
      await group.getByRole("checkbox").click();
      await row(page, "403").getByRole("checkbox").click();
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.getByRole("link", { name: `Save selection as NDJSON (${deliveries + 1})` }).click(),
      ]);
      const file = join(temp("wxdev-inspect-"), "chosen.ndjson");
      await download.saveAs(file);
      const records = parseRecords(readFileSync(file, "utf8"));
      expect(records.map((record) => record.status).sort()).toEqual([...Array(deliveries).fill(200), 403]);
    });

    it("refuses a Host that is not the address it was opened on (DNS rebinding), in the browser and by hand", async () => {
      const port = new URL(inspector).port;
      const other = await context.newPage();
      const response = await other.goto(`http://evil.test:${port}/api/exchanges`);
      expect(response?.status()).toBe(403);
      expect(await other.textContent("body")).toBe("forbidden host");
      await other.close();
      const byHand = await getWithHost(`${inspector}api/exchanges`, `localhost:${port}`);
      expect(byHand).toEqual({ status: 403, body: "forbidden host" });
      const own = await getWithHost(`${inspector}api/exchanges`, `127.0.0.1:${port}`);
      expect(own.status).toBe(200);
    });

    it(`keeps the last ${INSPECT_KEEP} exchanges under a flood, and the page shows no more`, async () => {
      const total = INSPECT_KEEP + 700;
      const timestamp = String(Math.floor(Date.now() / 1000));
      const url = `${callback}?signature=${signature(TOKEN, timestamp, "7")}&timestamp=${timestamp}&nonce=7&echostr=`;
      for (let start = 0; start < total; start += 50) {
        await Promise.all(
          Array.from({ length: Math.min(50, total - start) }, (_, i) =>
            fetch(`${url}${start + i}`).then((r) => r.text()),
          ),
        );
      }
      const kept = (await (await fetch(`${inspector}api/exchanges`)).json()) as { id: number }[];
      expect(kept).toHaveLength(INSPECT_KEEP);
      await page.reload();
      await poll(() => page.getByRole("table", { name: "Exchange list" }).locator("tbody tr").count()).toBe(
        INSPECT_KEEP,
      );
      expect(await page.locator("#count").textContent()).toMatch(new RegExp(`^${INSPECT_KEEP} exchanges`));
    }, 120_000);
  },
);
