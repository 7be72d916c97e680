import { request } from "node:http";
import { afterEach, describe, expect, it } from "vitest";
import { createTarget } from "../../src/core/client/target.js";
import { buildCallback } from "../../src/core/client/callback.js";
import { explainExchange } from "../../src/core/inspect/detail.js";
import { createInspector, type RunningInspector } from "../../src/core/inspect/server.js";
import { ExchangeLog, INSPECT_TEXT_CHARS } from "../../src/core/inspect/store.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import type { ExchangeRecord } from "../../src/core/wire/exchange-record.js";
import { buildMessage } from "../../src/core/wire/messages.js";
import { msgSignature, sha1Hex, signature } from "../../src/core/wire/signature.js";
import { APP_ID, KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";

const TOKEN = "inspectunit";
const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
const keys = { token: TOKEN, crypto };

const record = (extra: Partial<ExchangeRecord> = {}): ExchangeRecord => ({
  time: new Date().toISOString(),
  method: "POST",
  path: "/wechat8013",
  body: "",
  status: 200,
  reply: "success",
  latencyMs: 1,
  ...extra,
});

/** A safe-mode request encrypted by node-webot's wechat-crypto (an independent implementation), signed as given. */
function safeRequest(content: string, sign: (timestamp: string, nonce: string, encrypt: string) => string) {
  const witness = new WXBizMsgCrypt(TOKEN, KEY, APP_ID);
  const inner = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oUser]]></FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${content}]]></Content><MsgId>42</MsgId></xml>`;
  const encrypt = witness.encrypt(inner);
  const [timestamp, nonce] = ["1700000000", "77"];
  const query = `signature=${sign(timestamp, nonce, encrypt)}&timestamp=${timestamp}&nonce=${nonce}&encrypt_type=aes`;
  const msg = witness.getSignature(timestamp, nonce, encrypt);
  return record({
    path: `/wechat8013?${query}&msg_signature=${msg}`,
    body: `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${encrypt}]]></Encrypt></xml>`,
  });
}

const explain = (exchange: ExchangeRecord) => {
  const log = new ExchangeLog(keys);
  return explainExchange(log.add(exchange, "serve"), keys, "http://127.0.0.1:8013/wechat8013");
};

describe("an exchange explained", () => {
  it("opens a message wechat-crypto encrypted, beside its ciphertext; both signatures verify", () => {
    const detail = explain(safeRequest("对的", (t, n) => signature(TOKEN, t, n)));
    expect(detail.mode).toBe("safe");
    expect(detail.plaintext).toContain("<Content><![CDATA[对的]]></Content>");
    expect(detail.ciphertext).toMatch(/^[A-Za-z0-9+/]+=*$/);
    expect(detail.fields).toContainEqual(["Content", "对的"]);
    expect(detail.signatures.map((verdict) => [verdict.name, verdict.ok])).toEqual([
      ["signature", true],
      ["msg_signature", true],
    ]);
    expect(detail.summary).toMatchObject({ kind: "text", openid: "oUser", content: "对的", group: "MsgId 42" });
  });

  it.each([
    ["the msg_signature's value", (t: string, n: string, e: string) => msgSignature(TOKEN, t, n, e), /msg_signature's/],
    ["unsorted", (t: string, n: string) => sha1Hex(`${TOKEN}${t}${n}`), /joined unsorted/],
    ["upper-case", (t: string, n: string) => signature(TOKEN, t, n).toUpperCase(), /upper-case hex/],
    ["another Token", (t: string, n: string) => signature("other", t, n), /the Token differs/],
  ])("a signature made wrong (%s): says which input differs", (_name, sign, why) => {
    const [verdict] = explain(safeRequest("x", sign)).signatures;
    expect(verdict).toMatchObject({ name: "signature", ok: false, why: expect.stringMatching(why) });
    expect(verdict?.expected).toBe(signature(TOKEN, "1700000000", "77"));
  });

  it("a msg_signature that left Encrypt out is named as such", () => {
    const exchange = safeRequest("x", (t, n) => signature(TOKEN, t, n));
    const path = exchange.path.replace(/msg_signature=\w+/, `msg_signature=${signature(TOKEN, "1700000000", "77")}`);
    const [, verdict] = explain({ ...exchange, path }).signatures;
    expect(verdict).toMatchObject({ ok: false, why: expect.stringMatching(/also covers the Encrypt element/) });
  });

  it("judges the answer with simulate's rules (a reply to the wrong user is an error)", () => {
    const target = createTarget({ url: "http://127.0.0.1:1/wechat8013", token: TOKEN });
    const callback = buildCallback(target, buildMessage("text", { Content: "hi", FromUserName: "oSender" }));
    const reply =
      "<xml><ToUserName><![CDATA[someoneElse]]></ToUserName><FromUserName><![CDATA[gh]]></FromUserName>" +
      "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content></xml>";
    const detail = explain(record({ path: `/wechat8013${new URL(callback.url).search}`, body: callback.body, reply }));
    expect(
      (detail.problems ?? []).some((problem) => problem.severity === "error" && /ToUserName/.test(problem.message)),
    ).toBe(true);
    expect(detail.commands.simulate).toMatch(/^printf '%s' '<xml>.*' \| wxdev simulate --file - --url /);
    expect(detail.commands.curl).toMatch(/^curl -X POST 'http:\/\/127\.0\.0\.1:8013\/wechat8013\?signature=/);
  });

  it("a message for another appId is read, and said to be another account's", () => {
    const other = crypto.withAppId("wxsomeoneelse00000");
    const encrypt = other.encrypt("<xml><MsgType><![CDATA[text]]></MsgType><Content>x</Content></xml>");
    const detail = explain(record({ path: "/w?encrypt_type=aes", body: `<xml><Encrypt>${encrypt}</Encrypt></xml>` }));
    expect(detail.appId).toBe("wxsomeoneelse00000");
    expect(detail.requestProblem).toMatch(/encrypted for appId "wxsomeoneelse00000", not this account's/);
  });
});

describe("the inspector's memory", () => {
  it("keeps the last `keep` exchanges, newest first, and clips each body and reply", () => {
    const log = new ExchangeLog(keys, 3);
    for (let i = 0; i < 10; i++) log.add(record({ body: "x".repeat(INSPECT_TEXT_CHARS * 2) }), "tunnel");
    expect(log.list().map((entry) => entry.summary.id)).toEqual([10, 9, 8]);
    expect(log.get(7)).toBeUndefined();
    expect(log.list()[0]?.record.body).toHaveLength(INSPECT_TEXT_CHARS);
    expect(log.list()[0]?.record.truncated).toEqual({ body: INSPECT_TEXT_CHARS * 2, reply: 7 });
  });
});

function get(
  url: string,
  headers: Record<string, string> = {},
  method = "GET",
): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers }, (res) => {
      let body = "";
      res.setEncoding("utf8").on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on("error", reject);
    req.end(method === "POST" ? "{}" : undefined);
  });
}

describe("the inspector's server", () => {
  let running: RunningInspector | undefined;
  afterEach(() => running?.close());

  const start = async () => {
    const log = new ExchangeLog(keys);
    running = await createInspector({ log, keys, info: { title: "t", mode: "safe", token: "in***it" } }).listen();
    return { log, url: running.url, host: new URL(running.url).host };
  };

  it("listens on loopback only", () => {
    const log = new ExchangeLog(keys);
    const options = { host: "0.0.0.0", log, keys, info: { title: "t", mode: "plain", token: "" } };
    expect(() => createInspector(options)).toThrow(/loopback only, not 0\.0\.0\.0/);
  });

  it("refuses a foreign Host, and a POST from another origin", async () => {
    const { log, url, host } = await start();
    log.add(
      safeRequest("x", (t, n) => signature(TOKEN, t, n)),
      "serve",
    );
    expect(await get(`${url}api/exchanges`, { Host: `rebound.example:${new URL(url).port}` })).toEqual({
      status: 403,
      body: "forbidden host",
    });
    expect((await get(`${url}api/exchanges`, { Host: host })).status).toBe(200);
    const post = { Host: host, "Content-Type": "application/json", Origin: "http://evil.example" };
    expect(await get(`${url}api/exchanges/1/replay`, post, "POST")).toEqual({ status: 403, body: "forbidden origin" });
    const noUrl = await get(`${url}api/exchanges/1/replay`, { ...post, Origin: `http://${host}` }, "POST");
    expect(noUrl.status).toBe(409);
  });

  it("streams each new exchange to the page as it is added (Server-Sent Events)", async () => {
    const { log, url } = await start();
    const events = await fetch(`${url}api/events`);
    const reader = events.body!.getReader();
    await reader.read(); // the retry line
    log.add(
      safeRequest("live", (t, n) => signature(TOKEN, t, n)),
      "serve",
    );
    const { value } = await reader.read();
    const text = new TextDecoder().decode(value);
    expect(text).toMatch(/^event: exchange\ndata: \{"id":1,"source":"serve"/);
    expect(text).toContain('"content":"live"');
    await reader.cancel();
  });
});
