import { describe, expect, it } from "vitest";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { sealRequest } from "../../src/core/wire/envelope.js";
import { requestKind } from "../../src/core/wire/request-kind.js";

const query = (text: string): URLSearchParams => new URLSearchParams(text);
const message = (fields: string): string => `<xml><ToUserName><![CDATA[gh_1]]></ToUserName>${fields}</xml>`;

describe("requestKind: what a request to the callback is, read from method, query and body", () => {
  it.each([
    ["GET", "signature=s&timestamp=1&nonce=2&echostr=123", "", "handshake"],
    ["GET", "code=abc", "", undefined],
    ["POST", "", message("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content>"), "text"],
    [
      "POST",
      "",
      message("<MsgType><![CDATA[event]]></MsgType><Event><![CDATA[subscribe]]></Event>"),
      "event:subscribe",
    ],
    ["POST", "", message("<MsgType>image</MsgType>"), "image"],
    ["POST", "encrypt_type=aes", message("<Encrypt><![CDATA[abc=]]></Encrypt>"), "encrypted"],
    ["POST", "", "<xml><a>", "not XML"],
    ["POST", "", '{"json": true}', undefined],
    ["PUT", "", message("<MsgType>text</MsgType>"), undefined],
  ])("%s ?%s %s → %s", (method, search, body, kind) => {
    expect(requestKind(method, query(search), body)).toBe(kind);
  });
});

describe("requestKind with the account's key: a safe-mode body's kind is read inside Encrypt", () => {
  const key = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG";
  const crypto = new MessageCrypto({ token: "t", encodingAESKey: key, appId: "wx0123456789abcdef" });
  const other = new MessageCrypto({ token: "t", encodingAESKey: `Z${key.slice(1)}`, appId: "wx0123456789abcdef" });
  const sealed = sealRequest(crypto, message("<MsgType><![CDATA[event]]></MsgType><Event>CLICK</Event>"), "safe");

  it("opens it with the right key, says so without it or with another", () => {
    expect(requestKind("POST", query("encrypt_type=aes"), sealed.body, (e) => crypto.decrypt(e))).toBe(
      "event:CLICK 🔒",
    );
    expect(requestKind("POST", query(""), sealed.body)).toBe("encrypted");
    expect(requestKind("POST", query(""), sealed.body, (e) => other.decrypt(e))).toBe(
      "encrypted (not with this EncodingAESKey)",
    );
  });
});
