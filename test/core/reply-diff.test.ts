import { describe, expect, it } from "vitest";
import { diffReplies } from "../../src/core/client/reply-diff.js";

const text = (content: string, createTime = "1700000000"): string =>
  `<xml><ToUserName><![CDATA[oU]]></ToUserName><FromUserName><![CDATA[gh_1]]></FromUserName>` +
  `<CreateTime>${createTime}</CreateTime><MsgType><![CDATA[text]]></MsgType>` +
  `<Content><![CDATA[${content}]]></Content></xml>`;

const news = (title: string): string =>
  "<xml><ToUserName>oU</ToUserName><FromUserName>gh_1</FromUserName><CreateTime>1</CreateTime>" +
  "<MsgType>news</MsgType><ArticleCount>2</ArticleCount><Articles>" +
  "<item><Title>first</Title><Url>http://a</Url></item>" +
  `<item><Title>${title}</Title><Url>http://b</Url></item></Articles></xml>`;

describe("diffReplies: a recorded answer against today's, as WeChat reads them", () => {
  it.each<[string, string, string, unknown[]]>([
    ["the same reply at another time", text("hi"), text("hi", "1800000000"), []],
    ["another Content", text("a"), text("b"), [{ field: "Content", before: "a", after: "b" }]],
    [
      "a field that appeared",
      text("a"),
      text("a").replace("</xml>", "<FuncFlag>0</FuncFlag></xml>"),
      [{ field: "FuncFlag", before: undefined, after: "0" }],
    ],
    [
      "a nested article's title",
      news("second"),
      news("2nd"),
      [{ field: "Articles/item[2]/Title", before: "second", after: "2nd" }],
    ],
    ["success and an empty body (both: no reply)", "success", "", []],
    ["a reply that became success", text("a"), "success", [{ field: "body", before: "reply XML", after: "success" }]],
    ["refusals compared as text", "invalid signature", "invalid signature", []],
    ["changed text", "bad request", "oops", [{ field: "body", before: "bad request", after: "oops" }]],
  ])("%s", (_name, before, after, changes) => {
    expect(diffReplies(before, after)).toEqual(changes);
  });
});
