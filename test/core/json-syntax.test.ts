import { describe, expect, it } from "vitest";
import { locateJsonError } from "../../src/core/support/json-syntax.js";

function locate(text: string) {
  try {
    JSON.parse(text);
  } catch (error) {
    return locateJsonError(text, error as Error);
  }
  throw new Error("the text is valid JSON");
}

describe("locateJsonError: line and column as an editor shows them, whatever V8's message says", () => {
  it.each([
    // V8 gives a position for these…
    ['{\n  "a": 1,\n}', 3, 1, "expected double-quoted property name", "a"],
    ['{\n  "a": 1\n  "b": 2\n}', 3, 3, "expected ',' or '}' after property value", "a"],
    // …but none for these: the prefix search finds them all the same.
    ["{\n  \"token\": 'abc'\n}", 2, 12, "unexpected token '''", "token"],
    ['{\n  "url": http://x\n}', 2, 10, "unexpected token 'h'", "url"],
    ['{\n  "a": [1, 2\n', 3, 1, "the text ends too early (a missing } or ]?)", "a"],
    ["", 1, 1, "the text ends too early (a missing } or ]?)", undefined],
  ])("%j → line %i, column %i", (text, line, column, reason, after) => {
    expect(locate(text)).toEqual({ line, column, reason, after });
  });

  it("never quotes the text (it may hold a secret)", () => {
    const problem = locate('{"appSecret": SECRETabc123}');
    expect(JSON.stringify(problem)).not.toMatch(/SECRET|abc123/);
    expect(problem).toMatchObject({ line: 1, column: 15, after: "appSecret" });
  });
});
