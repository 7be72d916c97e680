import { describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { vectors } from "../helpers/vectors.js";
import { APP_ID, KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";

const env = { WXDEV_TOKEN: "spamtest", WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };
const REPLY =
  "<xml><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_1]]>" +
  "</FromUserName><CreateTime>1409735669</CreateTime><MsgType><![CDATA[text]]></MsgType>" +
  "<Content><![CDATA[你好 😀]]></Content></xml>";

describe("wxdev encrypt / decrypt", () => {
  it("encrypts a reply into an envelope that wechat-crypto opens, and decrypts it back", async () => {
    const sealed = await runMain(["encrypt", "--json", "--timestamp", "1409735669", "--nonce", "1320562132", REPLY], {
      env,
    });
    expect(sealed.code).toBe(0);
    const json = JSON.parse(sealed.stdout);
    const peer = new WXBizMsgCrypt("spamtest", KEY, APP_ID);
    expect(json.msgSignature).toBe(peer.getSignature("1409735669", "1320562132", json.encrypt));
    expect(peer.decrypt(json.encrypt).message).toBe(REPLY);
    const opened = await runMain(["decrypt", "-"], { env, input: json.xml });
    expect(opened.code).toBe(0);
    expect(opened.stdout).toBe(`${REPLY}\n`);
  });

  it("reads the XML from stdin with -", async () => {
    const result = await runMain(["encrypt", "-"], { env, input: REPLY });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^<xml><Encrypt><!\[CDATA\[/);
  });

  it.each(vectors.decrypt)("decrypts the $source vector, verifying msg_signature first", async (v) => {
    const args = [
      "decrypt",
      "--json",
      v.encrypt,
      "--timestamp",
      v.timestamp,
      "--nonce",
      v.nonce,
      "--msg-signature",
      v.msgSignature,
    ];
    const result = await runMain(args, {
      env: { WXDEV_TOKEN: v.token, WXDEV_AES_KEY: v.encodingAESKey, WXDEV_APP_ID: v.appId },
    });
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual({
      plaintext: v.plaintext,
      appId: v.appId,
      appIdChecked: true,
      signatureVerified: true,
    });
    const wrong = await runMain([...args.slice(0, -1), "0".repeat(40)], {
      env: { WXDEV_TOKEN: v.token, WXDEV_AES_KEY: v.encodingAESKey, WXDEV_APP_ID: v.appId },
    });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/msg_signature mismatch.*-40001/);
    expect(wrong.stdout).toBe("");
  });

  it("decrypts a message from wechat-crypto and warns when the appId is not checked", async () => {
    const peer = new WXBizMsgCrypt("spamtest", KEY, "wxpeer");
    const result = await runMain(["decrypt", peer.encrypt("中文 message")], { env: { WXDEV_AES_KEY: KEY } });
    expect(result.code).toBe(0);
    expect(result.stdout).toBe("中文 message\n");
    expect(result.stderr).toMatch(/appId not checked.*wxpeer/);
  });

  it.each([
    [
      "a key of the wrong length",
      ["decrypt", "abcd"],
      { ...env, WXDEV_AES_KEY: "tooshort" },
      "",
      /EncodingAESKey must be 43 characters.*-40004/,
    ],
    ["bad base64", ["decrypt", "not*base64"], env, "", /not valid base64.*-40010/],
    ["tampered ciphertext", ["decrypt", "-"], env, "TAMPER", /-4000[78]/],
    [
      "a wrong appId",
      ["decrypt", "-"],
      { ...env, WXDEV_APP_ID: "wxother" },
      "SEALED",
      /appId "wx2c2769f8efd9abc2", not "wxother".*-40005/,
    ],
    ["malformed XML to encrypt", ["encrypt", "<xml><a></xml>"], env, "", /malformed XML/],
    [
      "a DOCTYPE bomb",
      ["encrypt", "-"],
      env,
      `<!DOCTYPE b [<!ENTITY a "aaaa"><!ENTITY b "&a;&a;&a;">]><xml><a>&b;</a></xml>`,
      /DOCTYPE/,
    ],
    ["empty input", ["encrypt", "-"], env, "", /empty/],
    [
      "a missing AES key",
      ["encrypt", "<xml/>"],
      { WXDEV_TOKEN: "t", WXDEV_APP_ID: "wx" },
      "",
      /missing aesKey.*--aes-key.*WXDEV_AES_KEY/,
    ],
  ])("%s: exit 2, one line, no stack trace", async (_name, args, envFor, input, pattern) => {
    let stdin = input;
    if (input === "TAMPER" || input === "SEALED") {
      const sealed = JSON.parse((await runMain(["encrypt", "--json", REPLY], { env })).stdout).encrypt as string;
      // Flip a byte of the last block: it scrambles the padding and appId, which decryption must notice.
      const bytes = Buffer.from(sealed, "base64");
      bytes[bytes.length - 5]! ^= 0x5a;
      stdin = input === "SEALED" ? sealed : bytes.toString("base64");
    }
    const result = await runMain(args, { env: envFor, input: stdin });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it("--verbose adds the stack trace", async () => {
    const result = await runMain(["decrypt", "--verbose", "not*base64"], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/\n\s+at /);
  });
});
