import { describe, expect, it } from "vitest";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { openReply, openRequest, sealReply, sealRequest } from "../../src/core/wire/envelope.js";
import { CryptoError, WxCryptoCode } from "../../src/core/support/errors.js";
import { buildMessage } from "../../src/core/wire/messages.js";
import { signature } from "../../src/core/wire/signature.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";
import { vectors } from "../helpers/vectors.js";
import { APP_ID, KEY, WXBizMsgCrypt } from "../helpers/fixtures.js";

const crypto = new MessageCrypto({ token: "spamtest", encodingAESKey: KEY, appId: APP_ID });
const message = buildXml(buildMessage("text", { Content: "你好 😀" }, { toUserName: "gh_10f6c3c3ac5a" }));

describe("reply envelope", () => {
  it("has Encrypt, MsgSignature and Nonce as CDATA and TimeStamp bare, signed over itself", () => {
    const envelope = sealReply(crypto, "<xml><Content>hi</Content></xml>", "1409735669", "1320562132");
    const envelopeShape = new RegExp(
      /^<xml><Encrypt><!\[CDATA\[[A-Za-z0-9+/=]+\]\]><\/Encrypt>/.source +
        /<MsgSignature><!\[CDATA\[[0-9a-f]{40}\]\]><\/MsgSignature>/.source +
        /<TimeStamp>1409735669<\/TimeStamp><Nonce><!\[CDATA\[1320562132\]\]><\/Nonce><\/xml>$/.source,
    );
    expect(envelope).toMatch(envelopeShape);
    const fields = parseXml(envelope);
    const peer = new WXBizMsgCrypt("spamtest", KEY, APP_ID);
    expect(fields.MsgSignature).toBe(peer.getSignature("1409735669", "1320562132", fields.Encrypt as string));
    expect(peer.decrypt(fields.Encrypt as string).message).toBe("<xml><Content>hi</Content></xml>");
    expect(openReply(crypto, envelope).plaintext).toBe("<xml><Content>hi</Content></xml>");
  });

  it("refuses an envelope whose signature does not match (-40001)", () => {
    const envelope = sealReply(crypto, "<xml/>", "1", "2").replace("<TimeStamp>1<", "<TimeStamp>3<");
    expect(() => openReply(crypto, envelope)).toThrow(CryptoError);
  });

  it("refuses an envelope missing a field (-40002)", () => {
    try {
      openReply(crypto, "<xml><Encrypt>abc</Encrypt></xml>");
      throw new Error("not thrown");
    } catch (error) {
      expect((error as CryptoError).wxCode).toBe(WxCryptoCode.ParseXmlError);
    }
  });
});

describe("request bodies", () => {
  it("safe mode sends ToUserName and Encrypt only", () => {
    const { body, envelope } = sealRequest(crypto, message, "safe", "1409735669", "1320562132");
    expect(Object.keys(parseXml(body))).toEqual(["ToUserName", "Encrypt"]);
    expect(parseXml(body).ToUserName).toBe("gh_10f6c3c3ac5a");
    expect(openRequest(crypto, body, envelope)).toBe(message);
  });

  it("compatible mode sends the plaintext fields and Encrypt", () => {
    const { body, envelope } = sealRequest(crypto, message, "compat");
    const fields = parseXml(body);
    expect(fields.Content).toBe("你好 😀");
    expect(typeof fields.Encrypt).toBe("string");
    expect(openRequest(crypto, body, envelope)).toBe(message);
  });

  it.each(vectors.decrypt)("opens the $source request", (vector) => {
    const official = new MessageCrypto({
      token: vector.token,
      encodingAESKey: vector.encodingAESKey,
      appId: vector.appId,
    });
    const body =
      "<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName><Encrypt><![CDATA[" +
      `${vector.encrypt}]]></Encrypt></xml>`;
    expect(openRequest(official, body, vector)).toBe(vector.plaintext);
    expect(() => openRequest(official, body, { ...vector, msgSignature: signature("x", "y", "z") })).toThrow(
      /msg_signature mismatch/,
    );
  });
});
