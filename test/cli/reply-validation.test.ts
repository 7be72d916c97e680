import { createServer } from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen } from "../../src/core/support/listen.js";
import { parseXml, type XmlRecord } from "../../src/core/wire/xml.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { runMain } from "../helpers/main.js";
import { startWebot, type RunningTestServer } from "../helpers/wechat-servers.js";

const TOKEN = "replytoken";
const env = { WXDEV_TOKEN: TOKEN };

/** A real HTTP server that answers every message with the reply `write` makes for it, as a hand-written app would. */
async function startAnswering(write: (request: XmlRecord) => string): Promise<RunningTestServer> {
  const server = createServer((req, res) => {
    let body = "";
    req.on("data", (chunk: Buffer) => (body += chunk.toString("utf8")));
    req.on("end", () => res.writeHead(200, { "Content-Type": "application/xml" }).end(write(parseXml(body))));
  });
  const listening = await listen(server, 0, "127.0.0.1");
  return { url: `${listening.origin}/wechat`, close: listening.close };
}

const header = (request: XmlRecord): string =>
  `<ToUserName><![CDATA[${request.FromUserName}]]></ToUserName>` +
  `<FromUserName><![CDATA[${request.ToUserName}]]></FromUserName><CreateTime>1700000000</CreateTime>`;

let rawCdataEnd: RunningTestServer;
let longText: RunningTestServer;
let webotSafe: RunningTestServer;

beforeAll(async () => {
  [rawCdataEnd, longText, webotSafe] = await Promise.all([
    // The classic hand-rolled template: the text pasted into CDATA without splitting its `]]>`.
    startAnswering(
      (request) =>
        `<xml>${header(request)}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]>b]]></Content></xml>`,
    ),
    startAnswering(
      (request) =>
        `<xml>${header(request)}<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[${"长".repeat(700)}]]></Content></xml>`,
    ),
    startWebot({ token: TOKEN, appid: APP_ID, encodingAESKey: KEY }),
  ]);
});
afterAll(async () => {
  await Promise.all([rawCdataEnd?.close(), longText?.close(), webotSafe?.close()]);
});

describe("wxdev simulate judges replies as strictly as WeChat's parser", () => {
  it("a raw ]]> in Content is an error: exit 1, the problem named", async () => {
    const result = await runMain(["simulate", "text", "hi", "--url", rawCdataEnd.url], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("error Content holds a raw `]]>` at offset 2, outside CDATA: not well-formed XML");
    expect(result.stdout).toContain("WeChat would reject this answer");
  });

  it("a text reply over 2,047 bytes is accepted with a warning saying how many bytes: exit 0", async () => {
    const result = await runMain(["simulate", "text", "hi", "--url", longText.url], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("warning Content is 2,100 bytes of UTF-8; WeChat cuts or refuses text replies");
    expect(result.stdout).toContain("WeChat would accept this answer");
  });

  it("node-webot's encrypted reply envelope carries TimeStamp in milliseconds: a warning, as for CreateTime", async () => {
    const args = ["simulate", "text", "安全", "--url", webotSafe.url, "--mode", "safe", "--json"];
    const result = await runMain(args, { env: { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID } });
    expect(result.code).toBe(0);
    const problems = (JSON.parse(result.stdout) as { problems: { code: string; message: string }[] }).problems;
    expect(problems.map((problem) => problem.code).sort()).toEqual(["createtime-ms", "timestamp-ms"]);
    expect(problems.find((problem) => problem.code === "timestamp-ms")?.message).toMatch(
      /^TimeStamp \d{13} is in milliseconds; WeChat expects seconds \(the platform's samples, e.g. 1348831860\)$/,
    );
  });
});
