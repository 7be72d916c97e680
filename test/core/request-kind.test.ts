import { describe, expect, it } from "vitest";
import { requestKind } from "../../src/core/request-kind.js";

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
