import { describe, expect, it } from "vitest";
import { makeTimestamp, signature } from "../../src/core/wire/signature.js";
import { startMock } from "../helpers/processes.js";
import { startServe } from "../helpers/wechat-servers.js";

// What serve and mock print comes from whoever reaches their port: its control characters must not reach the
// developer's terminal as controls, and one message must not be able to write megabytes of log.
const TOKEN = "logtoken";
/** Sets the window title, then turns the text red, then clears the screen; U+009B is a CSI on its own. */
const HOSTILE_EVENT = "\u001b]0;pwned\u0007\u001b[31mred\u009b2J";
/** A newline would forge a log line of its own. */
const FORGED_TYPE = "x\n12:00:00 200 text \u202eevil";

// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be printed
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f\u202a-\u202e]/;

async function post(url: string, body: string): Promise<number> {
  const timestamp = makeTimestamp();
  const query = `signature=${signature(TOKEN, timestamp, "7")}&timestamp=${timestamp}&nonce=7&openid=o1`;
  const response = await fetch(`${url}?${query}`, { method: "POST", body });
  await response.text();
  return response.status;
}

const message = (fields: string, id: number): string =>
  `<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1700000000</CreateTime>${fields}` +
  `<MsgId>${id}</MsgId></xml>`;

describe("serve's log: control characters from the network escaped, each message's text bounded", () => {
  it.each([
    ["text lines", []],
    ["--json lines", ["--json"]],
  ])("%s", async (_what, args: string[]) => {
    const serve = await startServe(args, { WXDEV_TOKEN: TOKEN });
    try {
      const event = `<MsgType>event</MsgType><Event><![CDATA[${HOSTILE_EVENT}]]></Event>`;
      expect(await post(serve.url, message(event, 1))).toBe(200);
      expect(await post(serve.url, message(`<MsgType><![CDATA[${FORGED_TYPE}]]></MsgType>`, 2))).toBe(200);
      const long = `<MsgType>text</MsgType><Content>${"长".repeat(20_000)}</Content>`;
      expect(await post(serve.url, message(long, 3))).toBe(200);
    } finally {
      await serve.close();
    }
    const output = serve.output();
    expect(output).not.toMatch(RAW_CONTROL);
    const lines = output.trim().split("\n");
    // The listening line(s), three exchanges: nothing forged.
    expect(lines.filter((line) => /\b200\b/.test(line))).toHaveLength(3);
    expect(lines.every((line) => line.length < 2_000)).toBe(true);
    if (args.includes("--json")) {
      const logged = lines.slice(1).map((line) => JSON.parse(line));
      expect(logged[0].kind).toBe(`event:${HOSTILE_EVENT}`);
      expect(logged[1].kind).toBe(FORGED_TYPE);
      expect(logged[2].content).toBe(`${"长".repeat(500)}… (20000 characters)`);
    } else {
      expect(output).toContain("200 event:\\x1b]0;pwned\\x07\\x1b[31mred\\x9b2J");
      expect(output).toContain("200 x\\x0a12:00:00 200 text \\u202eevil");
      expect(output).toContain(`"${"长".repeat(500)}… (20000 characters)"`);
    }
  });
});

describe("mock's log: a request's text bounded", () => {
  it("a redirect_uri ten thousand characters long is quoted in part", async () => {
    const mock = await startMock([], { WXDEV_APP_ID: "wxlogtest", WXDEV_APP_SECRET: "logsecret" });
    try {
      const query = new URLSearchParams({
        appid: "wxlogtest",
        redirect_uri: `http://app.test/${"p".repeat(10_000)}`,
        response_type: "code",
        scope: "snsapi_base",
        state: "s",
      });
      const response = await fetch(`${mock.origin}/connect/oauth2/authorize?${query}`, { redirect: "manual" });
      expect(response.status).toBe(302);
    } finally {
      await mock.stop();
    }
    const line = mock
      .output()
      .split("\n")
      .find((text) => text.includes("302 GET /connect/oauth2/authorize"));
    expect(line).toMatch(/→ http:\/\/app\.test\/p+… \(10018 characters\) [\d.]+ ms$/);
    expect(line?.length).toBeLessThan(600);
  });
});
