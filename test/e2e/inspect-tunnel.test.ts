import { createServer, type Server } from "node:http";
import { type Browser, chromium, type Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";
import { verifySignature } from "../../src/core/wire/signature.js";
import { browserMissing, CHROMIUM, CHROMIUM_ARGS } from "../helpers/browser.js";
import { NGINX } from "../helpers/classroom.js";
import { inspectUrl, row, screenshot } from "../helpers/inspect.js";
import { sshdMissing } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { startTunnelRig, type TunnelRig } from "../helpers/tunnel-rig.js";

/** Polls as a person waits for a page (a loaded machine makes the page slower than vitest's 1 s default). */
const poll = <T>(read: () => T | Promise<T>) => expect.poll(read, { timeout: 20_000 });
const temp = tempDirs();
const missing = sshdMissing() ?? (NGINX === undefined ? "no nginx" : undefined) ?? browserMissing();
if (missing) console.warn(`skipping the tunnel inspector tests: ${missing}`);

/** How long the laptop's app takes over a message that says "slow": past WeChat's (and simulate's) 5 s. */
const SLOW_MS = 5_500;

/**
 * The student's app on the laptop: checks the signature, echoes a text, and takes SLOW_MS over one that says
 * "slow" (handling each delivery again: it keeps no record of MsgIds).
 */
function startApp(port: number, path: string, token: string): Promise<Server> {
  const server = createServer((req, res) => {
    const query = new URL(req.url ?? "/", "http://x").searchParams;
    const [timestamp, nonce] = [query.get("timestamp") ?? "", query.get("nonce") ?? ""];
    if (!req.url?.startsWith(path) || !verifySignature(token, timestamp, nonce, query.get("signature") ?? "")) {
      res.writeHead(403).end("forbidden");
      return;
    }
    if (req.method === "GET") {
      res.end(query.get("echostr") ?? "");
      return;
    }
    let body = "";
    req.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
    req.on("end", () => {
      const message = parseXml(body);
      const reply = buildXml({
        ToUserName: String(message.FromUserName),
        FromUserName: String(message.ToUserName),
        CreateTime: String(Math.floor(Date.now() / 1000)),
        MsgType: "text",
        Content: `echo: ${String(message.Content)}`,
      });
      const delay = String(message.Content).includes("slow") ? SLOW_MS : 0;
      setTimeout(() => res.writeHead(200, { "Content-Type": "application/xml" }).end(reply), delay);
    });
  });
  return new Promise((resolve) => server.listen(port, "127.0.0.1", () => resolve(server)));
}

describe.skipIf(missing !== undefined)(
  "tunnel --inspect: traffic through the real sshd forward and nginx",
  { timeout: 90_000 },
  () => {
    let rig: TunnelRig;
    let app: Server;
    let browser: Browser;
    let page: Page;

    beforeAll(async () => {
      [rig, browser] = await Promise.all([
        startTunnelRig(temp),
        chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS }),
      ]);
      app = await startApp(rig.localPort, `/wechat${rig.port}`, "tuntoken");
      const tunnel = await rig.tunnel(["--inspect", "0"]);
      page = await browser.newPage({ viewport: { width: 1400, height: 900 } });
      await page.goto(inspectUrl(tunnel.output()));
      await page.getByText("● live").waitFor();
    }, 120_000);

    afterAll(async () => {
      await browser?.close();
      await rig?.stopAll();
      await new Promise((resolve) => app?.close(resolve));
      await rig?.close();
    });

    it("shows a message that came in through nginx and the forward, and Replay sends it the same way", async () => {
      const sent = await rig.wx(["simulate", "text", "hello inspector", "--url", rig.publicUrl()]);
      expect(sent.code, sent.stdout + sent.stderr).toBe(0);
      await row(page, "hello inspector").click();
      const detail = page.getByRole("region", { name: "Exchange" });
      await poll(() => detail.getByLabel("Body").textContent()).toContain("hello inspector");
      expect(await detail.getByRole("list", { name: "Signatures" }).textContent()).toContain("signature ✓ valid");
      expect(await detail.getByLabel("Reply").textContent()).toContain("echo: hello inspector");
      expect(await page.getByText(`replays go to ${rig.publicUrl()}`).count()).toBe(1);
      await detail.getByRole("button", { name: "Replay", exact: true }).click();
      await poll(() => detail.getByRole("region", { name: "Replay result" }).locator("output").textContent()).toBe(
        "same",
      );
      // The replay went through nginx and the tunnel again: the app handled the same MsgId a second time.
      await poll(() => row(page, "×2 · handled 2×").count()).toBe(1);
      await screenshot(page, "inspect-tunnel");
    });

    it("a slow app makes simulate retry: the three deliveries are one group, handled three times", async () => {
      // simulate gives up at 4 s: nginx's own 5 s (wxdev nginx's block, like WeChat's) would otherwise race it on a
      // busy machine, and its 504, an answer, is not retried.
      const sent = await rig.wx([
        "simulate",
        "text",
        "slow one",
        "--retry",
        "--timeout",
        "4",
        "--url",
        rig.publicUrl(),
      ]);
      expect(sent.code).toBe(1);
      await poll(() => row(page, "×3 · handled 3×").count()).toBe(1);
      await row(page, "×3 · handled 3×").click();
      const deliveries = page.getByRole("region", { name: "Deliveries" });
      await poll(() => deliveries.getByRole("heading").textContent()).toMatch(
        /^3 deliveries of MsgId \d+ · handled 3×$/,
      );
      expect(await deliveries.getByRole("listitem").count()).toBe(3);
      await screenshot(page, "inspect-tunnel-retries");
    }, 60_000);
  },
);
