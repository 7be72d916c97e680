import { describe, expect, it } from "vitest";
import { buildEvent, buildMessage, buildReply } from "../../src/core/wire/messages.js";
import { judgeReply } from "../../src/core/wire/reply.js";
import { buildXml, type XmlRecord } from "../../src/core/wire/xml.js";

const request = buildMessage("text", { Content: "hi" }, { toUserName: "gh_account", fromUserName: "oUser" });
const reply = (msgType: string, fields: XmlRecord, to: XmlRecord = request, extra: XmlRecord = {}): string =>
  buildXml({ ...buildReply(to, msgType, fields), ...extra });
const article = (i: number): XmlRecord => ({ Title: `t${i}`, Url: "https://example.com/" });
const notification = buildEvent("TEMPLATESENDJOBFINISH", {}, { toUserName: "gh_account", fromUserName: "oUser" });

/** One body per warning the reply judge gives, with the request it answers. */
const WARNINGS: [code: string, body: string, answered: XmlRecord][] = [
  ["whitespace", " success ", request],
  ["createtime-ms", reply("text", { Content: "x" }, request, { CreateTime: "1700000000000" }), request],
  ["content-too-long", reply("text", { Content: "中".repeat(700) }), request],
  ["articles-for-message", reply("news", { ArticleCount: "2", Articles: { item: [article(1), article(2)] } }), request],
  [
    "too-many-articles",
    reply("news", { ArticleCount: "9", Articles: { item: Array.from({ length: 9 }, (_, i) => article(i)) } }),
    buildEvent("CLICK", {}, { toUserName: "gh_account", fromUserName: "oUser" }),
  ],
  ["extra-field", reply("text", { Content: "x", Extra: "y" }), request],
  ["extra-field", reply("image", { Image: { MediaId: "m", Size: "1" } }), request],
  ["ignored-reply", reply("text", { Content: "x" }, notification), notification],
];

describe("each reply warning names its source", () => {
  it.each(WARNINGS)("%s", (code, body, answered) => {
    const warnings = judgeReply(body, answered).problems.filter((problem) => problem.code === code);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]?.severity).toBe("warning");
    expect(warnings[0]?.message).toMatch(/passive-reply page|the platform's samples|as developers report/);
  });
});

describe("music without ThumbMediaId", () => {
  it("stays an error, saying WeChat's client drops the reply and where the sources disagree", () => {
    const body = reply("music", { Music: { Title: "t", MusicUrl: "https://example.com/a.mp3" } });
    const verdict = judgeReply(body, request);
    expect(verdict.ok).toBe(false);
    expect(verdict.problems).toEqual([
      {
        severity: "error",
        code: "missing-field",
        message:
          "missing Music/ThumbMediaId: WeChat's client drops a music reply without it (required on the" +
          " passive-reply page; node-webot leaves it optional)",
      },
    ]);
  });
});
