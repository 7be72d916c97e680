import { describe, expect, it } from "vitest";
import { XmlError } from "../../src/core/support/errors.js";
import { redactSecrets } from "../../src/core/support/redact.js";
import { markupProblems } from "../../src/core/wire/reply-markup.js";
import { requestKind } from "../../src/core/wire/request-kind.js";
import { createWechatServer } from "../../src/core/server/http.js";
import { parseXml } from "../../src/core/wire/xml.js";

// Text a stranger controls (a request body, a reply from any server) is scanned in one pass. Each input below
// took the previous scans from 10 s to minutes (or exponentially long); a test that runs past its timeout fails,
// even when it blocked the event loop the whole time.
const LIVENESS_MS = 10_000;

/** The audit's body: one unclosed CDATA opener after another, just under nginx's 1 MB. */
const UNCLOSED_CDATA = `<xml><![CDATA[${"<![CDATA[".repeat(116_000)}`;

describe("scans of hostile text are linear", () => {
  it(
    "parseXml refuses a body of unclosed CDATA openers as malformed (it took 12 s)",
    () => {
      expect(() => parseXml(UNCLOSED_CDATA)).toThrow(XmlError);
      expect(() => parseXml(`<xml>${"<a><![CDATA[x".repeat(100_000)}</xml>`)).toThrow(XmlError);
    },
    LIVENESS_MS,
  );

  it("a DOCTYPE after closed and unclosed CDATA sections is still found; inside a section it is text", () => {
    expect(() => parseXml('<![CDATA[x]]><!DOCTYPE x [<!ENTITY a "b">]><xml/>')).toThrow(/DOCTYPE/);
    expect(() => parseXml("<xml><a><![CDATA[<!doctype html>]]></a><b><!ENTITY></b></xml>")).toThrow(/DOCTYPE/);
    expect(parseXml("<xml><a><![CDATA[<!DOCTYPE x>]]></a><b><![CDATA[<!ENTITY]]></b></xml>")).toEqual({
      a: "<!DOCTYPE x>",
      b: "<!ENTITY",
    });
  });

  it("an error about a body quotes a bounded part of it, however many elements are left unclosed", () => {
    let message = "";
    try {
      parseXml(`<xml>${"<a>".repeat(50_000)}`);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/unclosed elements <xml>, <a>, <a>, <a>, <a> and 49996 more$/);
  });

  it(
    "the tunnel's request-kind reader does not parse a body larger than serve would accept",
    () => {
      expect(requestKind("POST", new URLSearchParams(), UNCLOSED_CDATA)).toBe("large body");
      const bigText = `<xml><MsgType>text</MsgType><Content>${"x".repeat(70_000)}</Content></xml>`;
      expect(requestKind("POST", new URLSearchParams(), bigText)).toBe("large body");
    },
    LIVENESS_MS,
  );

  it(
    "a reply's markup check: unclosed comments (minutes before), comments before a missing root (exponential)",
    () => {
      expect(markupProblems(`<xml>&#${"<!--".repeat(3_000)}`)).toEqual([]);
      expect(markupProblems(` ${"<!---->".repeat(32)}x`)).toEqual([]);
      expect(markupProblems(`<xml>${"<a>]]>".repeat(20_000)}`).length).toBe(11);
    },
    LIVENESS_MS,
  );

  it("a reply full of control characters: ten problems listed, the rest counted", () => {
    const problems = markupProblems(`<xml><Content><![CDATA[${"\u0001".repeat(100_000)}]]></Content></xml>`);
    expect(problems).toHaveLength(11);
    expect(problems[0]?.message).toMatch(/^control character U\+0001 at Content offset 0/);
    expect(problems.at(-1)).toMatchObject({
      code: "more-problems",
      message: "… and 99990 more such problems in the body",
    });
  });

  it(
    "redactSecrets on a long run of scheme-like text (15 s before), and it still hides user-info",
    () => {
      expect(redactSecrets("a.".repeat(60_000))).toBe("a.".repeat(60_000));
      expect(redactSecrets(`${"a.".repeat(60_000)} https://u:pw@host/`)).toMatch(/ https:\/\/\*\*\*@host\/$/);
    },
    LIVENESS_MS,
  );

  it(
    "serve's 404 for a path of 16,000 slashes, sixty times (0.2 s each before)",
    async () => {
      const serve = await createWechatServer({ port: 0, token: "t" }).listen();
      try {
        const path = `/a${"/".repeat(16_000)}x`;
        for (let i = 0; i < 60; i++) expect((await fetch(`http://127.0.0.1:${serve.port}${path}`)).status).toBe(404);
        const slash = await fetch(`http://127.0.0.1:${serve.port}/wechat8013//`);
        expect(await slash.text()).toBe("not found (the path is /wechat8013, without the trailing slash)");
      } finally {
        await serve.close();
      }
    },
    LIVENESS_MS,
  );
});
