import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTarget } from "../../src/core/client/target.js";
import { buildCallback, type Callback } from "../../src/core/client/callback.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { buildMessage } from "../../src/core/wire/messages.js";
import { makeTimestamp, msgSignature, signature } from "../../src/core/wire/signature.js";
import { runMain } from "../helpers/main.js";
import { startServe } from "../helpers/wechat-servers.js";
import { KEY } from "../helpers/fixtures.js";

const TOKEN = "oracletoken";
const APP_ID = "wxoracle0123456789";
const SECRET_TEXT = "the plaintext an attacker wants";
const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });

let serve: Awaited<ReturnType<typeof startServe>>;
let captured: Callback;
beforeAll(async () => {
  serve = await startServe(["--mode", "safe", "--json"], {
    WXDEV_TOKEN: TOKEN,
    WXDEV_AES_KEY: KEY,
    WXDEV_APP_ID: APP_ID,
  });
  captured = buildCallback(
    createTarget({ url: serve.url, token: TOKEN, mode: "safe", crypto }),
    buildMessage("text", { Content: SECRET_TEXT }),
  );
});
afterAll(async () => serve?.close());

interface Answer {
  status: number;
  type: string | null;
  body: string;
}

/** Replays the captured request with another Encrypt and, optionally, another msg_signature. */
async function replay(encrypt: string, msgSig = captured.query.msg_signature!): Promise<Answer> {
  const url = new URL(captured.url);
  url.searchParams.set("msg_signature", msgSig);
  const body = captured.body.replace(
    /<Encrypt><!\[CDATA\[[^\]]*\]\]><\/Encrypt>/,
    `<Encrypt><![CDATA[${encrypt}]]></Encrypt>`,
  );
  const response = await fetch(url, { method: "POST", body });
  return { status: response.status, type: response.headers.get("content-type"), body: await response.text() };
}

/** Waits for the server's log (written just after it answers) to show `pattern`. */
async function logged(server: { output(): string }, pattern: RegExp): Promise<void> {
  for (let i = 0; i < 50 && !pattern.test(server.output()); i++)
    await new Promise((resolve) => setTimeout(resolve, 20));
  expect(server.output()).toMatch(pattern);
}

const encryptOf = (callback: Callback): string => /<Encrypt><!\[CDATA\[([^\]]*)\]\]>/.exec(callback.body)![1]!;

/** The ciphertext with `delta` XORed into it at `offset` (block 0 is CBC's mask for block 1: the length field). */
function flip(encrypt: string, offset: number, delta: number[]): string {
  const bytes = Buffer.from(encrypt, "base64");
  for (const [i, d] of delta.entries()) bytes.writeUInt8(bytes.readUInt8(offset + i) ^ d, offset + i);
  return bytes.toString("base64");
}

/** What must never reach a stranger: a signature, a decrypted byte, a number from the length field. */
function expectNothingLeaked(answers: Answer[]): void {
  for (const answer of answers) {
    expect(answer.body).not.toMatch(/[0-9a-f]{40}/i);
    expect(answer.body).not.toMatch(/\d/);
    expect(answer.body).not.toContain(SECRET_TEXT.slice(0, 8));
    expect(answer.body).not.toContain(APP_ID);
    expect(answer.body).not.toContain("<");
  }
}

describe("wxdev serve in safe mode is no decryption oracle", () => {
  it("the captured request itself is answered", async () => {
    expect((await replay(encryptOf(captured))).status).toBe(200);
  });

  it(
    "replays the issue's attack (flip the length field, learn the expected signature, read the " +
      "plaintext back) and recovers nothing",
    async () => {
      const original = encryptOf(captured);
      const answers: Answer[] = [];
      // The attack: tamper, read the expected msg_signature from the 403, replay with it, read the
      // decrypted length field from the 400, then zero it so the appId error shows every byte.
      const send = async (encrypt: string): Promise<Answer> => {
        const first = await replay(encrypt);
        answers.push(first);
        const expected = /expected ([0-9a-f]{40})/.exec(first.body)?.[1];
        if (expected === undefined) return first;
        const second = await replay(encrypt, expected);
        answers.push(second);
        return second;
      };
      const probe = await send(flip(original, 0, [0x01, 0, 0, 0]));
      const leakedLength = /\((\d+)\)/.exec(probe.body)?.[1];
      const length = leakedLength === undefined ? 0x01_00_00_00 : Number(leakedLength) ^ 0x01_00_00_00;
      const lengthBytes = Buffer.alloc(4);
      lengthBytes.writeUInt32BE(length);
      const reveal = await send(flip(original, 0, [...lengthBytes]));
      expect(reveal.body).not.toContain(SECRET_TEXT);
      // And the padding-oracle probes: every byte of the last block's mask, one value each.
      const bytes = Buffer.from(original, "base64").length;
      for (let i = 0; i < 16; i++) answers.push(await replay(flip(original, bytes - 32 + i, [0x55])));
      expectNothingLeaked(answers);
      expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
        new Set([JSON.stringify({ status: 403, type: "text/plain; charset=utf-8", body: "invalid signature" })]),
      );
    },
  );

  it(
    "even correctly signed, every decryption failure gets the same 400 'bad request', the " +
      "reason only in the local log",
    async () => {
      const original = encryptOf(captured);
      const bytes = Buffer.from(original, "base64").length;
      const otherApp = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: "wxsomeoneelse00000" });
      const tampered = [
        flip(original, 0, [0x01, 0, 0, 0]), // length field runs past the data
        flip(original, bytes - 17, [0x55]), // padding
        flip(original, 0, [0, 0, 0, 0x01]), // length field one off: the appId holds a message byte
        otherApp.encrypt("<xml><Content>x</Content></xml>"), // another account's appId
        otherApp.encrypt("").slice(0, 20), // not whole blocks
        "!!!!not base64!!!!",
      ];
      const { query } = captured;
      const answers: Answer[] = [];
      for (const encrypt of tampered)
        answers.push(await replay(encrypt, msgSignature(TOKEN, query.timestamp!, query.nonce!, encrypt)));
      expectNothingLeaked(answers);
      expect(new Set(answers.map((a) => JSON.stringify(a)))).toEqual(
        new Set([JSON.stringify({ status: 400, type: "text/plain; charset=utf-8", body: "bad request" })]),
      );
      for (const reason of [
        /runs past the data/,
        /bad padding/,
        /is for appId/,
        /whole number of AES blocks/,
        /not valid base64/,
      ])
        await logged(serve, reason);
    },
  );
});

describe("wxdev serve refuses stale POSTs (--max-age)", () => {
  const post = (url: string, timestamp: string): Promise<Response> => {
    const q = new URLSearchParams({ signature: signature(TOKEN, timestamp, "9"), timestamp, nonce: "9" });
    return fetch(`${url}?${q}`, {
      method: "POST",
      body: buildCallback(createTarget({ url, token: TOKEN, mode: "plain" }), buildMessage("text")).body,
    });
  };
  const now = Number(makeTimestamp());

  it(
    "a correctly signed POST more than 300 s from the clock gets the same 403 as a forgery; " + "the log says why",
    async () => {
      const plain = await startServe(["--json"], { WXDEV_TOKEN: TOKEN });
      try {
        const answers = await Promise.all([
          post(plain.url, String(now - 310)),
          post(plain.url, String(now + 310)),
          post(plain.url, "1700000000"),
        ]);
        for (const answer of answers) expect([answer.status, await answer.text()]).toEqual([403, "invalid signature"]);
        expect((await post(plain.url, String(now - 200))).status).toBe(200);
        await logged(plain, /"error":"timestamp \d+ is \d+ s from this server's clock \(max age 300 s\)/);
        // The handshake only echoes what it is sent: an old signed GET still validates the URL.
        const get = await fetch(
          `${plain.url}?signature=${signature(TOKEN, "1700000000", "9")}&timestamp=1700000000&nonce=9&echostr=ok`,
        );
        expect(await get.text()).toBe("ok");
      } finally {
        await plain.close();
      }
    },
  );

  it("--max-age 0 turns the window off; a bad value is exit 2 with one line", async () => {
    const open = await startServe(["--max-age", "0"], { WXDEV_TOKEN: TOKEN });
    try {
      expect((await post(open.url, "1700000000")).status).toBe(200);
    } finally {
      await open.close();
    }
    const bad = await runMain(["serve", "--max-age", "five"], { env: { WXDEV_TOKEN: TOKEN } });
    expect(bad.code).toBe(2);
    expect(bad.stderr.trim().split("\n")).toEqual([
      expect.stringMatching(/option '--max-age <seconds>' argument 'five' is invalid\. not a number of seconds/),
    ]);
  });
});

describe("serve's /index page", () => {
  it("an unreachable OAuth API gets a fixed 502 page; where it tried is only in the log", async () => {
    const web = await startServe(["--api-base", "http://127.0.0.1:9"], {
      WXDEV_TOKEN: TOKEN,
      WXDEV_APP_ID: "wxindex",
      WXDEV_APP_SECRET: "indexsecret",
    });
    try {
      const page = await fetch(`${web.url.replace("/wechat8013", "/index")}?code=abc`);
      const html = await page.text();
      expect(page.status).toBe(502);
      expect(html).not.toMatch(/127\.0\.0\.1|:9\b|indexsecret|ECONNREFUSED|refused/);
      await logged(web, /502 \/index cannot reach the API at http:\/\/127\.0\.0\.1:9/);
    } finally {
      await web.close();
    }
  });
});
