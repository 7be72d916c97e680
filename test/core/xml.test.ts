import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { XmlError } from "../../src/core/support/errors.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";

const CDATA_MESSAGE = `<xml><ToUserName><![CDATA[gh_10f6c3c3ac5a]]></ToUserName>
<FromUserName><![CDATA[oyORnuP8q7ou2gfYjqLzSIWZf0rs]]></FromUserName>
<CreateTime>1409735668</CreateTime>
<MsgType><![CDATA[text]]></MsgType>
<Content><![CDATA[abcdteT]]></Content>
<MsgId>6054768590064713728</MsgId>
</xml>`;

const EXPECTED = {
  ToUserName: "gh_10f6c3c3ac5a",
  FromUserName: "oyORnuP8q7ou2gfYjqLzSIWZf0rs",
  CreateTime: "1409735668",
  MsgType: "text",
  Content: "abcdteT",
  MsgId: "6054768590064713728",
};

describe("parseXml", () => {
  it("reads a message into a flat record of strings, keeping 64-bit ids whole", () => {
    expect(parseXml(CDATA_MESSAGE)).toEqual(EXPECTED);
  });

  it("accepts plain text instead of CDATA, a declaration and surrounding whitespace", () => {
    const plain =
      `\n  <?xml version="1.0" encoding="utf-8"?>\n<xml><ToUserName>gh_10f6c3c3ac5a</ToUserName>` +
      "<FromUserName>oyORnuP8q7ou2gfYjqLzSIWZf0rs</FromUserName>\n" +
      "      <CreateTime> 1409735668 </CreateTime><MsgType>text</MsgType><Content>abcdteT</Content>" +
      "<MsgId>6054768590064713728</MsgId></xml>\n\n";
    expect(parseXml(plain)).toEqual(EXPECTED);
  });

  it("keeps CDATA content verbatim, spaces, entities-looking text and split ]]> included", () => {
    const record = parseXml(
      "<xml><Content><![CDATA[  a &amp; <b> ]]]]><![CDATA[> 中文😀 ]]></Content>" +
        "<E>1 &lt; 2 &amp; &#20013;</E></xml>",
    );
    expect(record.Content).toBe("  a &amp; <b> ]]> 中文😀 ");
    expect(record.E).toBe("1 < 2 & 中");
  });

  it("decodes entities in one pass: an escaped reference stays literal", () => {
    const decoded = parseXml("<xml><A>&amp;#20013; &amp;lt; &#x1F600; &quot;q&apos;</A></xml>").A;
    expect(decoded).toBe("&#20013; &lt; 😀 \"q'");
  });

  it("nests wrapped elements and always makes item lists arrays", () => {
    const record = parseXml(
      "<xml><Image><MediaId><![CDATA[m1]]></MediaId></Image><Articles><item><Title>t</Title></item></Articles></xml>",
    );
    expect(record).toEqual({ Image: { MediaId: "m1" }, Articles: { item: [{ Title: "t" }] } });
  });

  it("names unclosed elements instead of showing the parser's internal list", () => {
    expect(() => parseXml("<xml><ToUserName><![CDATA[gh_")).toThrow(
      "malformed XML at line 1, column 1: unclosed elements <xml>, <ToUserName>",
    );
  });

  it.each([
    ["empty input", "", "XML_EMPTY"],
    ["whitespace", "  \n ", "XML_EMPTY"],
    ["unclosed tag", "<xml><a></xml>", "BAD_XML"],
    ["text, not XML", "hello", "BAD_XML"],
    [
      "a DOCTYPE with an entity bomb",
      `<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>` +
        "<xml><a>&lol2;</a></xml>",
      "XML_DOCTYPE",
    ],
    [
      "an external entity",
      `<!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><xml><a>&xxe;</a></xml>`,
      "XML_DOCTYPE",
    ],
    ["100,000 levels of nesting", `<xml>${"<a>".repeat(100_000)}x${"</a>".repeat(100_000)}</xml>`, "XML_TOO_DEEP"],
    ["an element named __proto__", "<xml><__proto__><a>1</a></__proto__></xml>", "XML_RESERVED_NAME"],
    [
      "an element named constructor",
      "<xml><ToUserName>a</ToUserName><constructor>x</constructor></xml>",
      "XML_RESERVED_NAME",
    ],
  ])("rejects %s with a clear XmlError", (_name, input, code) => {
    expect(() => parseXml(input)).toThrow(XmlError);
    try {
      parseXml(input);
    } catch (error) {
      expect((error as XmlError).code).toBe(code);
      expect((error as XmlError).kind).toBe("input");
      expect((error as XmlError).hint).toBeTruthy();
    }
  });

  it("still reads nesting as deep as fast-xml-parser allows", () => {
    expect(parseXml(`<xml>${"<a>".repeat(99)}x${"</a>".repeat(99)}</xml>`).a).toBeTruthy();
  });

  it("does not mistake a DOCTYPE inside CDATA text for a declaration", () => {
    expect(parseXml("<xml><Content><![CDATA[<!DOCTYPE html>]]></Content></xml>").Content).toBe("<!DOCTYPE html>");
  });

  it("caps the input size (1 MiB by default, configurable)", () => {
    const big = `<xml><Content>${"a".repeat(1024 * 1024)}</Content></xml>`;
    expect(() => parseXml(big)).toThrow(/larger than 1048576 bytes/);
    expect(() => parseXml("<xml><a>中文中文</a></xml>", { maxBytes: 20 })).toThrow(/larger than 20 bytes/);
    expect(parseXml(big, { maxBytes: 2 * 1024 * 1024 }).Content).toHaveLength(1024 * 1024);
  });
});

describe("buildXml", () => {
  it("writes text as CDATA and numeric fields bare", () => {
    expect(
      buildXml({
        ToUserName: "o1",
        CreateTime: "1409735668",
        MsgType: "text",
        Content: "hi",
        MsgId: "6054768590064713728",
      }),
    ).toBe(
      "<xml><ToUserName><![CDATA[o1]]></ToUserName><CreateTime>1409735668</CreateTime><MsgType>" +
        "<![CDATA[text]]></MsgType><Content><![CDATA[hi]]></Content><MsgId>6054768590064713728" +
        "</MsgId></xml>",
    );
  });

  it("splits ]]> across two CDATA sections", () => {
    expect(buildXml({ Content: "a]]>b" })).toBe("<xml><Content><![CDATA[a]]]]><![CDATA[>b]]></Content></xml>");
  });

  it("writes nested records and arrays of items", () => {
    expect(buildXml({ ArticleCount: "2", Articles: { item: [{ Title: "a" }, { Title: "b" }] } })).toBe(
      "<xml><ArticleCount>2</ArticleCount><Articles><item><Title><![CDATA[a]]></Title></item>" +
        "<item><Title><![CDATA[b]]></Title></item></Articles></xml>",
    );
  });

  it("round-trips any text through build and parse", () => {
    const text = fc.oneof(
      fc.string(),
      fc.string({ unit: "grapheme" }),
      fc.constantFrom("]]>", "]]]]>", "<![CDATA[x]]>", "&amp;", " lead", "trail "),
    );
    fc.assert(
      fc.property(
        fc.dictionary(fc.constantFrom("Content", "Title", "Label", "Url"), text, { minKeys: 1 }),
        (record) => {
          expect(parseXml(buildXml(record))).toEqual(record);
        },
      ),
      { numRuns: 300 },
    );
  });
});
