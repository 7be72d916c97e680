import { describe, expect, it } from "vitest";
import { buildEvent, buildMessage, buildReply } from "../../src/core/wire/messages.js";
import { judgeReply } from "../../src/core/wire/reply.js";
import { buildXml, type XmlRecord } from "../../src/core/wire/xml.js";

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

  it("news: counts must agree; more articles than WeChat shows warn, naming how many will show", () => {
    const items = (n: number): XmlRecord => ({
      ArticleCount: String(n),
      Articles: { item: Array.from({ length: n }, (_, i) => article(i)) },
    });
    const problems = (body: string, req?: XmlRecord) => judgeReply(body, req).problems;
    expect(problems(reply("news", items(2)), request)).toEqual([
      {
        severity: "warning",
        code: "articles-for-message",
        message:
          "2 articles answer a user's text message; WeChat shows only the first 1 (the passive-reply page" +
          " (Passive_user_reply_message): 1 for a text, image, voice, video, news or location message," +
          " up to 8 otherwise)",
      },
    ]);
    const event = buildEvent("CLICK", {}, { toUserName: "gh_account", fromUserName: "oUser" });
    expect(codes(reply("news", items(8)), event)).toEqual([]);
    expect(problems(reply("news", items(9)), event)).toEqual([
      {
        severity: "warning",
        code: "too-many-articles",
        message:
          "9 articles; WeChat shows only the first 8 and drops the rest" +
          " (the passive-reply page (Passive_user_reply_message))",
      },
    ]);
    expect(codes(reply("news", { ...items(1), ArticleCount: "2" }))).toEqual(["error:article-count"]);
  });

  it.each(["image", "voice", "video", "news", "location"])(
    "news: one article answers a user's %s message",
    (msgType) => {
      const userMessage = { ...request, MsgType: msgType };
      const body = reply("news", { ArticleCount: "2", Articles: { item: [article(1), article(2)] } });
      expect(codes(body, userMessage)).toEqual(["warning:articles-for-message"]);
    },
  );

  it.each(["shortvideo", "link"])("news: up to 8 articles answer a user's %s message (not one of the six)", (type) => {
    const userMessage = { ...request, MsgType: type };
    const items = Array.from({ length: 8 }, (_, i) => article(i));
    expect(codes(reply("news", { ArticleCount: "8", Articles: { item: items } }), userMessage)).toEqual([]);
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

/** A reply to `request` as a server would write it by hand: the header, then `body` inside <xml>. */
const written = (body: string, root = "xml"): string =>
  `<${root}><ToUserName><![CDATA[oUser]]></ToUserName><FromUserName><![CDATA[gh_account]]></FromUserName>` +
  `<CreateTime>1700000000</CreateTime>${body}</${root}>`;
const problemsOf = (body: string, req: XmlRecord = request) =>
  judgeReply(body, req).problems.map(({ severity, code, message }) => ({ severity, code, message }));

describe("judgeReply refuses what WeChat's XML parser would not forgive", () => {
  it("a raw ]]> inside Content: the CDATA section ended early", () => {
    const body = written("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]>b]]></Content>");
    expect(problemsOf(body)).toEqual([
      {
        severity: "error",
        code: "raw-cdata-end",
        message:
          "Content holds a raw `]]>` at offset 2, outside CDATA: not well-formed XML" +
          " (a CDATA section ended early? split a `]]>` in the text as `]]]]><![CDATA[>`)",
      },
    ]);
    expect(judgeReply(body, request).ok).toBe(false);
    // Split as XML requires, the same text is fine.
    expect(
      codes(written("<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[a]]]]><![CDATA[>b]]></Content>")),
    ).toEqual([]);
    expect(codes(written("<MsgType>text</MsgType><Content>a]]>b</Content>"))).toEqual(["error:raw-cdata-end"]);
  });

  it.each(["0000", "0001", "0008", "000B", "000C", "000E", "001F"])("control character U+%s in text", (hex) => {
    const char = String.fromCharCode(Number.parseInt(hex, 16));
    expect(problemsOf(written(`<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[abc${char}]]></Content>`))).toEqual(
      [
        {
          severity: "error",
          code: "control-character",
          message:
            `control character U+${hex} at Content offset 3: XML 1.0 forbids it, so WeChat cannot parse the reply` +
            " (strip control characters from the text)",
        },
      ],
    );
  });

  it("control characters as bare text, as character references, and nested; tab, LF and CR are fine", () => {
    expect(codes(written("<MsgType>text</MsgType><Content>a\u0001b</Content>"))).toEqual(["error:control-character"]);
    expect(problemsOf(written("<MsgType>text</MsgType><Content>ab&#x1;&#2;</Content>")).map((p) => p.message)).toEqual([
      expect.stringMatching(/^control character U\+0001 \(written &#x1;\) at Content offset 2: /),
      expect.stringMatching(/^control character U\+0002 \(written &#2;\) at Content offset 7: /),
    ]);
    const image = written("<MsgType><![CDATA[image]]></MsgType><Image><MediaId><![CDATA[m\u001f]]></MediaId></Image>");
    expect(problemsOf(image)[0]?.message).toMatch(/^control character U\+001F at Image\/MediaId offset 1: /);
    expect(codes(written("<MsgType>text</MsgType><Content><![CDATA[a\tb\nc\rd&#1;]]></Content>"))).toEqual([]);
  });

  it("two <Content> elements, or any other single-valued element twice", () => {
    const twice = written("<MsgType>text</MsgType><Content><![CDATA[a]]></Content><Content><![CDATA[b]]></Content>");
    expect(problemsOf(twice)).toEqual([
      {
        severity: "error",
        code: "duplicate-element",
        message: "2 <Content> elements; a reply has one (WeChat would read only one of them)",
      },
    ]);
    expect(codes(written("<MsgType>text</MsgType><MsgType>text</MsgType><Content>a</Content>"))).toContain(
      "error:duplicate-element",
    );
    const nested = written("<MsgType>image</MsgType><Image><MediaId>a</MediaId><MediaId>b</MediaId></Image>");
    expect(problemsOf(nested).map((p) => p.message)).toEqual([
      "2 <Image/MediaId> elements; a reply has one (WeChat would read only one of them)",
    ]);
  });

  it("a root other than <xml>", () => {
    const body = written("<MsgType>text</MsgType><Content>hi</Content>", "reply");
    expect(problemsOf(body)).toEqual([
      {
        severity: "error",
        code: "root-element",
        message: "the root element is <reply>; WeChat reads a reply only as <xml>…</xml>",
      },
    ]);
    expect(codes(`<?xml version="1.0"?>\n<!-- hi --><xml>${written("").slice(5)}`)).not.toContain("error:root-element");
  });

  it.each<[string, string, string]>([
    ["Image", "<MsgType>image</MsgType><Image><MediaId>m</MediaId><Url>u</Url></Image>", "<Url> inside <Image>"],
    [
      "Voice",
      "<MsgType>voice</MsgType><Voice><MediaId>m</MediaId><Format>amr</Format></Voice>",
      "<Format> inside <Voice>",
    ],
    ["Video", "<MsgType>video</MsgType><Video><MediaId>m</MediaId><Thumb>t</Thumb></Video>", "<Thumb> inside <Video>"],
    [
      "Music",
      "<MsgType>music</MsgType><Music><ThumbMediaId>m</ThumbMediaId><Url>u</Url></Music>",
      "<Url> inside <Music>",
    ],
    [
      "Articles/item",
      "<MsgType>news</MsgType><ArticleCount>2</ArticleCount><Articles><item><Title>a</Title></item>" +
        "<item><Title>b</Title><Link>u</Link></item></Articles>",
      "<Link> inside <Articles/item[2]>",
    ],
  ])("an unknown child inside %s warns, naming it and where", (_where, body, named) => {
    const event = buildEvent("CLICK", {}, { toUserName: "gh_account", fromUserName: "oUser" });
    expect(problemsOf(written(body), event)).toEqual([
      {
        severity: "warning",
        code: "extra-field",
        message: `unknown element ${named}; WeChat ignores it (not on ${PAGE})`,
      },
    ]);
  });
});

const PAGE = "the passive-reply page (Passive_user_reply_message)";

describe("judgeReply warns at the limits WeChat cuts at", () => {
  it("a text Content over 2,047 bytes of UTF-8, saying how many", () => {
    expect(codes(reply("text", { Content: "a".repeat(2047) }))).toEqual([]);
    // 683 CJK characters are 2,049 bytes: the limit is bytes, not characters.
    expect(problemsOf(reply("text", { Content: "中".repeat(683) }))).toEqual([
      {
        severity: "warning",
        code: "content-too-long",
        message:
          "Content is 2,049 bytes of UTF-8; WeChat cuts or refuses text replies over 2,047 bytes, as developers" +
          " report (no reference page states it): send the rest as a customer-service message",
      },
    ]);
  });
});
