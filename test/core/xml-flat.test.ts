import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { NUMERIC_FIELDS } from "../../src/core/wire/xml-fields.js";
import { buildFlatMessage, parseFlatMessage } from "../../src/core/wire/xml-flat.js";
import { buildXml, buildXmlDocument, parseXml, parseXmlDocument, type XmlRecord } from "../../src/core/wire/xml.js";

// fast-xml-parser is the witness: whatever the flat path answers must be what it answers.
const tricky = fc.constantFrom(
  "",
  " ",
  "\n",
  "\r\n",
  "\t",
  "]]>",
  "]]",
  "<",
  ">",
  "&",
  "&amp;",
  "&#20013;",
  '"',
  "'",
  "中文",
  "😀",
  "\u3000",
  "<![CDATA[",
);
const value = fc.oneof(
  fc.string(),
  fc.string({ unit: "grapheme" }),
  fc.array(fc.oneof(tricky, fc.string()), { maxLength: 6 }).map((parts) => parts.join("")),
);
const name = fc.oneof(
  fc.constantFrom(
    "ToUserName",
    "FromUserName",
    "CreateTime",
    "MsgType",
    "Content",
    "MsgId",
    "Location_X",
    "Event",
    "EventKey",
    "item",
    "__proto__",
    "toString",
  ),
  fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_.-]{0,8}$/),
);
const record = fc
  .dictionary(name, value, { maxKeys: 8 })
  .map((entries) => Object.fromEntries(Object.entries(entries)) as XmlRecord);
const layout = fc.constantFrom("", "\n", "\n  ", " \t");

/** A message written as a person or another SDK might: CDATA or bare text, whitespace between elements. */
const handWritten = fc
  .tuple(fc.array(fc.tuple(name, value, fc.boolean(), layout), { maxLength: 8 }), layout)
  .map(([fields, tail]) => {
    const body = fields
      .map(([key, text, cdata, space]) => `${space}<${key}>${cdata ? `<![CDATA[${text}]]>` : text}</${key}>`)
      .join("");
    return `<xml>${body}${tail}</xml>`;
  });

function general(text: string): XmlRecord | string {
  try {
    return parseXmlDocument(text.trim());
  } catch (error) {
    return `error: ${(error as Error).message}`;
  }
}

describe("flat message fast path", () => {
  it("parses exactly as fast-xml-parser does, or declines", () => {
    let taken = 0;
    fc.assert(
      fc.property(
        fc.oneof(
          handWritten,
          record.map((fields) => buildXmlDocument(fields)),
        ),
        (text) => {
          const flat = parseFlatMessage(text);
          if (flat === undefined) return;
          taken++;
          expect(JSON.stringify(flat)).toBe(JSON.stringify(general(text)));
        },
      ),
      { numRuns: 3000 },
    );
    expect(taken).toBeGreaterThan(300); // the comparison really ran, on many messages
  });

  it("builds exactly what fast-xml-parser's builder builds, or declines", () => {
    fc.assert(
      fc.property(record, (fields) => {
        const flat = buildFlatMessage(fields, NUMERIC_FIELDS);
        if (flat !== undefined) expect(flat).toBe(buildXmlDocument(fields));
      }),
      { numRuns: 3000 },
    );
  });

  it("takes the messages WeChat sends, CDATA or bare, with layout whitespace", () => {
    const message =
      "<xml>\n  <ToUserName><![CDATA[gh_1]]></ToUserName>\n  <CreateTime> 1409735668 " +
      "</CreateTime>\n  <Content><![CDATA[ 你好 😀 ]]></Content>\n  " +
      "<MsgId>6054768590064713728</MsgId>\n</xml>";
    expect(parseFlatMessage(message)).toEqual({
      ToUserName: "gh_1",
      CreateTime: "1409735668",
      Content: " 你好 😀 ",
      MsgId: "6054768590064713728",
    });
    expect(buildFlatMessage({ ToUserName: "o1", CreateTime: "1", Content: "a & <b>" }, NUMERIC_FIELDS)).toBe(
      "<xml><ToUserName><![CDATA[o1]]></ToUserName><CreateTime>1</CreateTime>" +
        "<Content><![CDATA[a & <b>]]></Content></xml>",
    );
  });

  it.each([
    ["a declaration", `<?xml version="1.0"?><xml><A>1</A></xml>`],
    ["nesting", "<xml><Image><MediaId>m</MediaId></Image></xml>"],
    ["attributes", `<xml><A b="1">x</A></xml>`],
    ["entities", "<xml><A>1 &lt; 2</A></xml>"],
    ["a comment", "<xml><!-- c --><A>1</A></xml>"],
    ["a repeated name", "<xml><A>1</A><A>2</A></xml>"],
    ["item lists", "<xml><item>1</item></xml>"],
    ["a carriage return", "<xml><A>1\r\n2</A></xml>"],
    ["a DOCTYPE", `<!DOCTYPE x [<!ENTITY e "e">]><xml><A>&e;</A></xml>`],
    ["an unclosed element", "<xml><A>1</xml>"],
    ["]]> ending a CDATA section early", "<xml><A><![CDATA[a]]>b]]></A></xml>"],
    ["an element running into the root's end", "<xml><xml></xml>"],
    ["text beside elements", "<xml>stray<A>1</A></xml>"],
    ["another root", "<root><A>1</A></root>"],
  ])("declines %s, leaving it to fast-xml-parser", (_what, text) => {
    expect(parseFlatMessage(text)).toBeUndefined();
  });

  it("declines to build nested records, ]]> in CDATA and markup in numeric fields", () => {
    expect(buildFlatMessage({ Image: { MediaId: "m" } }, NUMERIC_FIELDS)).toBeUndefined();
    expect(buildFlatMessage({ Content: "a]]>b" }, NUMERIC_FIELDS)).toBeUndefined();
    expect(buildFlatMessage({ CreateTime: "1<2" }, NUMERIC_FIELDS)).toBeUndefined();
    expect(buildXml({ Content: "a]]>b" })).toBe(buildXmlDocument({ Content: "a]]>b" }));
  });

  it("leaves parseXml's refusals to the general path", () => {
    expect(() => parseXml(`<!DOCTYPE x [<!ENTITY e "e">]><xml><A>&e;</A></xml>`)).toThrow(/DOCTYPE/);
    expect(() => parseXml("<xml><A>1</xml>")).toThrow(/malformed XML/);
  });
});
