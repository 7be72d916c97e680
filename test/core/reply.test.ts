import { describe, expect, it } from "vitest";
import { buildMessage, buildReply } from "../../src/core/messages.js";
import { judgeReply } from "../../src/core/reply.js";
import { buildXml, type XmlRecord } from "../../src/core/xml.js";

const request = buildMessage("text", { Content: "hi" }, { toUserName: "gh_account", fromUserName: "oUser" });
const reply = (msgType: string, fields: XmlRecord, over: XmlRecord = {}): string =>
  buildXml({ ...buildReply(request, msgType, fields), ...over });
const codes = (body: string, req: XmlRecord | undefined = request): string[] =>
  judgeReply(body, req).problems.map((p) => `${p.severity}:${p.code}`);
const article = (n: number): XmlRecord => ({ Title: `t${n}`, Description: "d", PicUrl: "http://p", Url: "http://u" });

describe("judgeReply accepts every valid passive reply", () => {
  it.each<[string, XmlRecord]>([
    ["text", { Content: "hi" }],
    ["image", { Image: { MediaId: "m" } }],
    ["voice", { Voice: { MediaId: "m" } }],
    ["video", { Video: { MediaId: "m", Title: "t", Description: "d" } }],
    ["music", { Music: { Title: "t", Description: "d", MusicUrl: "u", HQMusicUrl: "h", ThumbMediaId: "m" } }],
    ["news", { ArticleCount: "1", Articles: { item: [article(1)] } }],
    ["transfer_customer_service", {}],
    ["transfer_customer_service", { TransInfo: { KfAccount: "kf@x" } }],
  ])("%s", (msgType, fields) => {
    expect(judgeReply(reply(msgType, fields), request)).toMatchObject({ kind: "reply", ok: true, problems: [] });
  });

  it.each(["", "success"])("treats %j as no reply", (body) => {
    expect(judgeReply(body, request)).toMatchObject({ kind: "none", ok: true, reply: null, problems: [] });
  });

  it("accepts success with a newline but warns", () => {
    expect(codes("success\n")).toEqual(["warning:whitespace"]);
  });
});

describe("judgeReply finds each problem", () => {
  it("To/From not swapped", () => {
    expect(codes(reply("text", { Content: "x" }, { ToUserName: "gh_account", FromUserName: "oUser" }))).toEqual([
      "error:to-not-swapped",
      "error:from-not-swapped",
    ]);
  });

  it("CreateTime in milliseconds is a warning, not a number an error", () => {
    expect(codes(reply("text", { Content: "x" }, { CreateTime: "1700000000000" }))).toEqual(["warning:createtime-ms"]);
    expect(codes(reply("text", { Content: "x" }, { CreateTime: "soon" }))).toEqual(["error:bad-createtime"]);
  });

  it("missing common and type fields", () => {
    expect(codes(buildXml({ MsgType: "text", Content: "x" }), undefined)).toEqual([
      "error:missing-field",
      "error:missing-field",
      "error:missing-field",
    ]);
    expect(codes(reply("text", {}))).toEqual(["error:missing-field"]);
    expect(codes(reply("image", { Image: {} }))).toEqual(["error:missing-field"]);
    expect(codes(reply("image", {}))).toEqual(["error:missing-field"]);
  });

  it("unknown MsgType", () => {
    expect(codes(reply("sticker", { Content: "x" }))).toEqual(["error:unknown-msgtype"]);
    // Names of Object.prototype's members are unknown types too, not a crash.
    for (const msgType of ["toString", "constructor", "hasOwnProperty"])
      expect(codes(reply(msgType, { Content: "x" }))).toEqual(["error:unknown-msgtype"]);
  });

  it("news: more than one article for a user message warns, more than 8 fails, counts must agree", () => {
    const items = (n: number): XmlRecord => ({
      ArticleCount: String(n),
      Articles: { item: Array.from({ length: n }, (_, i) => article(i)) },
    });
    expect(codes(reply("news", items(2)))).toEqual(["warning:articles-for-message"]);
    const event = buildMessage("text", {}, { toUserName: "gh_account", fromUserName: "oUser" });
    event.MsgType = "event";
    expect(codes(reply("news", items(3)), event)).toEqual([]);
    expect(codes(reply("news", items(9)))).toEqual(["error:too-many-articles"]);
    expect(codes(reply("news", { ...items(1), ArticleCount: "2" }))).toEqual(["error:article-count"]);
  });

  it("extra unknown fields warn", () => {
    expect(codes(reply("text", { Content: "x", Extra: "y" }))).toEqual(["warning:extra-field"]);
  });

  it("an HTML error page and broken XML are errors that say what they are", () => {
    expect(codes("<!DOCTYPE html><html><body>500</body></html>")).toEqual(["error:html"]);
    expect(codes("<xml><Content>")).toEqual(["error:invalid-xml"]);
    expect(codes("OK")).toEqual(["error:invalid-xml"]);
    expect(judgeReply("OK").ok).toBe(false);
  });

  it("an encrypted reply to a plaintext request is an error", () => {
    expect(codes(buildXml({ Encrypt: "abc", MsgSignature: "s", TimeStamp: "1", Nonce: "n" }))).toContain(
      "error:unexpected-encrypt",
    );
  });
});
