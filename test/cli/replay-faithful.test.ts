import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { formatRecord, queryOf } from "../../src/core/wire/exchange-record.js";
import { makeTimestamp, msgSignature, signature } from "../../src/core/wire/signature.js";
import { APP_ID, KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";
import { runMain } from "../helpers/main.js";
import { type RunningTestServer, startRecorder, startServe, startWebot } from "../helpers/wechat-servers.js";

const TOKEN = "faithfultoken";
const env = { WXDEV_TOKEN: TOKEN, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };
const witness = new WXBizMsgCrypt(TOKEN, KEY, APP_ID);

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the command printed, field by field
type Printed = Record<string, any>;
const json = (stdout: string) => JSON.parse(stdout) as Printed;

let serve: Awaited<ReturnType<typeof startServe>>;
let webot: RunningTestServer;
beforeAll(async () => {
  [serve, webot] = await Promise.all([
    startServe(["--mode", "compat"], env),
    startWebot({ token: TOKEN, appid: APP_ID, encodingAESKey: KEY }),
  ]);
});
afterAll(async () => Promise.all([serve, webot].map((server) => server?.close())));

/** Records a whole `check` run in `mode` through a recording proxy, then replays it against the same server. */
async function checkThenReplay(url: string, mode: string): Promise<Printed> {
  const recorder = await startRecorder(url);
  try {
    await runMain(["check", "--url", recorder.url, "--mode", mode, "--json"], { env });
  } finally {
    await recorder.close();
  }
  expect(recorder.records.some((record) => record.status !== 200)).toBe(true);
  const input = recorder.records.map(formatRecord).join("");
  const result = await runMain(["simulate", "--replay", "-", "--url", url, "--json"], { env, input });
  return { code: result.code, ...json(result.stdout), count: recorder.records.length };
}

describe("a recorded check run replays as recorded, forgeries forged again", () => {
  it.each(["plain", "safe", "compat"])("wxdev serve, %s mode: every record the same", async (mode) => {
    const out = await checkThenReplay(serve.url, mode);
    expect(out.messages.filter((m: { verdict: string }) => m.verdict !== "same")).toEqual([]);
    expect(out).toMatchObject({ code: 0, ok: true, same: out.count, differs: 0, failed: 0, skipped: 0 });
    const forged = out.messages.filter((m: { forged: boolean }) => m.forged);
    expect(forged.length).toBeGreaterThanOrEqual(mode === "plain" ? 3 : 5);
    for (const m of forged) expect(m.status.today).toBe(m.status.recorded);
    for (const m of forged) expect(m.status.today).not.toBe(200);
  });

  it.each(["plain", "safe", "compat"])(
    "node-webot, %s mode (it accepts some forgeries): every record the same",
    async (mode) => {
      const out = await checkThenReplay(webot.url, mode);
      expect(out.messages.filter((m: { verdict: string }) => m.verdict !== "same")).toEqual([]);
      expect(out).toMatchObject({ code: 0, same: out.count });
    },
  );

  it("a recorded wrong signature is sent wrong again: a server that now accepts it is named", async () => {
    const insecure = await startWebot({ token: TOKEN, checkSignature: false } as never);
    try {
      const timestamp = makeTimestamp();
      const body =
        "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1</CreateTime>" +
        "<MsgType>text</MsgType><Content>forged</Content><MsgId>1</MsgId></xml>";
      const forged = formatRecord({
        time: new Date().toISOString(),
        method: "POST",
        path: `/wechat?signature=${signature("not-the-token", timestamp, "1")}&timestamp=${timestamp}&nonce=1`,
        body,
        status: 401,
        reply: "Invalid signature",
        latencyMs: 1,
      });
      const refused = await runMain(["simulate", "--replay", "-", "--url", webot.url, "--json"], {
        env,
        input: forged,
      });
      expect(json(refused.stdout).messages[0]).toMatchObject({ verdict: "same", forged: true });
      const now = await runMain(["simulate", "--replay", "-", "--url", insecure.url], { env, input: forged });
      expect(now.code).toBe(1);
      expect(now.stdout).toMatch(/^#1 {2}text: "forged" \(sent forged, as recorded\) {2}status 401 → 200/m);
    } finally {
      await insecure.close();
    }
  });
});

describe("compat replay sends the recorded outer body byte for byte", () => {
  it("only the Encrypt element is new; the declaration, CRLFs, indentation, comment and escapes stay", async () => {
    const plaintext =
      "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[oByte]]></FromUserName>" +
      "<CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>" +
      "<Content><![CDATA[a <b> & c]]></Content><MsgId>6054768590064713728</MsgId></xml>";
    const encrypt = witness.encrypt(plaintext);
    const outer =
      '<?xml version="1.0" encoding="utf-8"?>\r\n<!-- as WeChat sent it -->\r\n<xml>\r\n' +
      "    <ToUserName>gh_1</ToUserName>\r\n    <FromUserName>oByte</FromUserName>\r\n" +
      "    <CreateTime>1700000000</CreateTime>\r\n    <MsgType>text</MsgType>\r\n" +
      "    <Content>a &lt;b&gt; &amp; c</Content>\r\n    <MsgId>6054768590064713728</MsgId>\r\n" +
      `    <Encrypt>${encrypt}</Encrypt>\r\n</xml>\r\n`;
    const timestamp = makeTimestamp();
    const query =
      `signature=${signature(TOKEN, timestamp, "7")}&timestamp=${timestamp}&nonce=7&openid=oByte` +
      `&encrypt_type=aes&msg_signature=${msgSignature(TOKEN, timestamp, "7", encrypt)}`;
    const record = { time: new Date().toISOString(), method: "POST", body: outer, latencyMs: 1 };
    const recorder = await startRecorder(serve.url);
    try {
      const input = formatRecord({ ...record, path: `/wechat8013?${query}`, status: 200, reply: "" });
      const result = await runMain(["simulate", "--replay", "-", "--url", recorder.url, "--json"], { env, input });
      expect(json(result.stdout).messages[0]).toMatchObject({ status: { recorded: 200, today: 200 } });
    } finally {
      await recorder.close();
    }
    const sent = recorder.records[0]!;
    const sentEncrypt = /<Encrypt>([^<]+)<\/Encrypt>/.exec(sent.body)?.[1] ?? "";
    expect(sentEncrypt).not.toBe(encrypt);
    expect(sent.body).toBe(outer.replace(encrypt, sentEncrypt));
    expect(witness.decrypt(sentEncrypt)).toEqual({ message: plaintext, id: APP_ID });
    const q = queryOf(sent.path);
    expect(q.get("msg_signature")).toBe(witness.getSignature(q.get("timestamp")!, q.get("nonce")!, sentEncrypt));
  });
});
