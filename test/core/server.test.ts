import { afterEach, describe, expect, it } from "vitest";
import { createTarget } from "../../src/core/client/target.js";
import { buildCallback } from "../../src/core/client/callback.js";
import { exchange } from "../../src/core/client/exchange.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { buildMessage } from "../../src/core/wire/messages.js";
import { echoBot } from "../../src/core/server/echo-bot.js";
import { createCallbackHandler, DEFAULT_MAX_AGE_SECONDS } from "../../src/core/server/handler.js";
import type { ExchangeRecord } from "../../src/core/wire/exchange-record.js";
import { createWechatServer, type RunningServer } from "../../src/core/server/http.js";
import { makeTimestamp, msgSignature, signature } from "../../src/core/wire/signature.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";
import { APP_ID, KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";

const TOKEN = "servertoken";
let running: RunningServer | undefined;
afterEach(async () => {
  await running?.close();
  running = undefined;
});

async function start(
  options: Partial<Parameters<typeof createWechatServer>[0]> = {},
  log: ExchangeRecord[] = [],
): Promise<RunningServer> {
  running = await createWechatServer({ port: 0, token: TOKEN, onExchange: (e) => log.push(e), ...options }).listen();
  return running;
}

const signed = (url: string, extra: Record<string, string> = {}, timestamp = makeTimestamp()): string => {
  const q = new URLSearchParams({ signature: signature(TOKEN, timestamp, "42"), timestamp, nonce: "42", ...extra });
  return `${url}?${q}`;
};

describe("createWechatServer", () => {
  it("answers the handshake with echostr exactly, and 403 without a valid signature", async () => {
    const server = await start();
    const ok = await fetch(signed(server.url, { echostr: "abc 123" }));
    expect([ok.status, await ok.text()]).toEqual([200, "abc 123"]);
    const bad = await fetch(`${server.url}?signature=0&timestamp=1&nonce=2&echostr=x`);
    expect(bad.status).toBe(403);
    expect(await bad.text()).not.toContain("x");
  });

  it("speaks safe mode with wechat-crypto: decrypts its request, and wechat-crypto opens the reply", async () => {
    const log: ExchangeRecord[] = [];
    const server = await start({ mode: "safe", aesKey: KEY, appId: APP_ID }, log);
    const peer = new WXBizMsgCrypt(TOKEN, KEY, APP_ID);
    const message =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oPeer]]>" +
      "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>" +
      "<Content><![CDATA[对等 ✓]]></Content><MsgId>1</MsgId></xml>";
    const encrypt = peer.encrypt(message);
    const timestamp = makeTimestamp();
    const url = signed(
      server.url,
      { encrypt_type: "aes", msg_signature: peer.getSignature(timestamp, "42", encrypt) },
      timestamp,
    );
    const response = await fetch(url, {
      method: "POST",
      body: `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
    });
    expect(response.status).toBe(200);
    const envelope = parseXml(await response.text());
    expect(envelope.MsgSignature).toBe(
      peer.getSignature(String(envelope.TimeStamp), String(envelope.Nonce), String(envelope.Encrypt)),
    );
    const reply = parseXml(peer.decrypt(String(envelope.Encrypt)).message);
    expect(reply).toMatchObject({ ToUserName: "oPeer", FromUserName: "gh_1", MsgType: "text", Content: "对等 ✓" });
    expect(log[0]).toMatchObject({ status: 200, kind: "text", content: "对等 ✓", encrypted: true, retry: false });
  });

  it(
    "refuses a bad msg_signature (403), a plaintext request in safe mode (400), and checks " +
      "signature in safe mode too",
    async () => {
      const server = await start({ mode: "safe", aesKey: KEY, appId: APP_ID });
      const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
      const callback = buildCallback(
        createTarget({ url: server.url, token: TOKEN, mode: "safe", crypto }),
        buildMessage("text"),
      );
      const forgedMsg = callback.url.replace(/msg_signature=\w+/, `msg_signature=${msgSignature("x", "1", "2", "3")}`);
      expect((await fetch(forgedMsg, { method: "POST", body: callback.body })).status).toBe(403);
      const forgedSig = callback.url.replace(/([?&])signature=\w+/, "$1signature=0000");
      expect((await fetch(forgedSig, { method: "POST", body: callback.body })).status).toBe(403);
      const plain = buildCallback(createTarget({ url: server.url, token: TOKEN, mode: "plain" }), buildMessage("text"));
      expect((await fetch(plain.url, { method: "POST", body: plain.body })).status).toBe(400);
    },
  );

  it("answers a retried MsgId with the same reply and handles it once", async () => {
    let handled = 0;
    const log: ExchangeRecord[] = [];
    const server = await start(
      { bot: (m) => ({ ...m, ToUserName: m.FromUserName!, FromUserName: m.ToUserName!, Content: `n=${++handled}` }) },
      log,
    );
    const message = buildMessage("text", { Content: "again" });
    const first = await exchange(
      buildCallback(createTarget({ url: server.url, token: TOKEN, mode: "plain" }), message),
    );
    const second = await exchange(
      buildCallback(createTarget({ url: server.url, token: TOKEN, mode: "plain" }), message),
    );
    expect(first.reply?.Content).toBe("n=1");
    expect(second.reply?.Content).toBe("n=1");
    expect(handled).toBe(1);
    expect(log.map((e) => e.retry)).toEqual([false, true]);
  });

  it("keeps replies apart per sender: the same MsgId from someone else is a new message", async () => {
    const server = await start();
    const first = await exchange(
      buildCallback(
        createTarget({ url: server.url, token: TOKEN, mode: "plain" }),
        buildMessage("text", { Content: "one" }, { msgId: "777", fromUserName: "oA" }),
      ),
    );
    const other = await exchange(
      buildCallback(
        createTarget({ url: server.url, token: TOKEN, mode: "plain" }),
        buildMessage("text", { Content: "two" }, { msgId: "777", fromUserName: "oB" }),
      ),
    );
    expect([first.reply?.Content, other.reply?.Content]).toEqual(["one", "two"]);
    expect(other.ok).toBe(true);
  });

  it("refuses an unsigned POST with 403 before reading its body, however large", async () => {
    const log: ExchangeRecord[] = [];
    const server = await start({ maxBodyBytes: 1024 }, log);
    const response = await fetch(server.url, { method: "POST", body: "a".repeat(100_000) });
    expect(response.status).toBe(403);
    expect(log.at(-1)).toMatchObject({ status: 403, error: "invalid signature" });
  });

  it("the handler reads a POST's body only once its query passes, and then once", async () => {
    const handle = createCallbackHandler({
      token: TOKEN,
      mode: "plain",
      bot: echoBot(),
      maxBodyBytes: 1024,
      maxAgeSeconds: DEFAULT_MAX_AGE_SECONDS,
    });
    let reads = 0;
    const body = async (): Promise<string> => {
      reads++;
      return buildXml(buildMessage("text", { Content: "hi" }));
    };
    const query = (timestamp: string, sig = signature(TOKEN, timestamp, "42")) =>
      new URLSearchParams({ signature: sig, timestamp, nonce: "42" });
    expect((await handle({ method: "POST", query: query(makeTimestamp(), "0".repeat(40)), body })).status).toBe(403);
    expect((await handle({ method: "POST", query: query("1"), body })).status).toBe(403);
    expect(reads).toBe(0);
    const answered = await handle({ method: "POST", query: query(makeTimestamp()), body });
    expect([answered.status, parseXml(answered.body).Content, reads]).toEqual([200, "hi", 1]);
  });

  it("refuses a path without its leading slash", () => {
    expect(() => createWechatServer({ token: TOKEN, path: "wechat" })).toThrow(/does not start with \//);
  });

  it("caps the body (413), rejects malformed XML (400) and keeps serving", async () => {
    const server = await start({ maxBodyBytes: 1024 });
    const big = await fetch(signed(server.url), {
      method: "POST",
      body: `<xml><Content>${"a".repeat(5000)}</Content></xml>`,
    });
    expect(big.status).toBe(413);
    const bomb = `<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa"><!ENTITY b "&a;&a;&a;&a;">]><xml><Content>&b;</Content></xml>`;
    expect((await fetch(signed(server.url), { method: "POST", body: bomb })).status).toBe(400);
    expect((await fetch(signed(server.url), { method: "POST", body: "<xml><a>" })).status).toBe(400);
    const next = await exchange(
      buildCallback(createTarget({ url: server.url, token: TOKEN, mode: "plain" }), buildMessage("text")),
    );
    expect(next.ok).toBe(true);
  });

  it(
    "405 for other methods, 404 elsewhere (naming a trailing slash), and the extra handler for " + "other paths",
    async () => {
      const server = await start({
        extraHandler: (_req, res, url) => {
          if (url.pathname !== "/index") return false;
          res.end("index page");
          return true;
        },
      });
      expect((await fetch(signed(server.url), { method: "PUT", body: "x" })).status).toBe(405);
      const slash = await fetch(`${server.url}/`);
      expect([slash.status, await slash.text()]).toEqual([404, expect.stringContaining("without the trailing slash")]);
      expect(await (await fetch(server.url.replace("/wechat8013", "/index"))).text()).toBe("index page");
    },
  );

  it("never emits a character XML forbids: the echo replaces them with U+FFFD, in plain and safe mode", async () => {
    const server = await start({ mode: "compat", aesKey: KEY, appId: APP_ID });
    const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
    const forbidden = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;
    const text = "a\x01b\x1fc\uFFFEd\uFFFF😀";
    const plain = buildCallback(
      createTarget({ url: server.url, token: TOKEN, mode: "plain" }),
      buildMessage("text", { Content: text }),
    );
    const raw = await (await fetch(plain.url, { method: "POST", body: plain.body })).text();
    expect(raw).not.toMatch(forbidden);
    expect(parseXml(raw).Content).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFD😀");
    const safe = await exchange(
      buildCallback(
        createTarget({ url: server.url, token: TOKEN, mode: "compat", crypto }),
        buildMessage("text", { Content: text }),
      ),
      { crypto },
    );
    expect(safe.raw).not.toMatch(forbidden);
    expect(safe.reply?.Content).toBe("a\uFFFDb\uFFFDc\uFFFDd\uFFFD😀");
  });

  it("refuses safe mode without a key, naming it", () => {
    expect(() => createWechatServer({ token: TOKEN, mode: "safe" })).toThrow(/needs the EncodingAESKey/);
  });
});
