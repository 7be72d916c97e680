import { describe, expect, it } from "vitest";
import { callbackQuery, isPlainPath } from "../../src/core/server/request-target.js";

/** What the server did before the shortcut, for the targets the shortcut takes. */
function viaUrl(target: string): { pathname: string; query: [string, string][] } {
  const url = new URL(target, "http://localhost");
  return { pathname: url.pathname, query: [...url.searchParams] };
}

// Characters a query may hold as Node's HTTP parser hands it over (one char per byte), weighted to the
// awkward ones: escapes valid and broken, what the URL parser percent-encodes, separators, Latin-1.
const ALPHABET = [
  ..."aZ09-._~",
  ..."%%%2541fFgG",
  ..."&&==++",
  ..." \"'<>`{}|\\^[]\t",
  ..."/?;:@!$(),*",
  "\u00e9",
  "\u00ff",
  "\u0080",
];

/** Printable ASCII only (what the shortcut takes), or anything from the alphabet (what it must decline). */
const PRINTABLE = ALPHABET.filter((char) => char > " " && char <= "~");

function randomQuery(random: () => number, printable: boolean): string {
  const alphabet = printable ? PRINTABLE : ALPHABET;
  const length = Math.floor(random() * 40);
  let text = "";
  for (let i = 0; i < length; i++) text += alphabet[Math.floor(random() * alphabet.length)];
  return text;
}

/** A small seeded generator, so a failure names a case that can be run again. */
function seeded(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
}

describe("callbackQuery", () => {
  const path = "/wechat8013";

  it("reads the same params as new URL(target).searchParams, for 20,000 generated queries", () => {
    const random = seeded(8013);
    let taken = 0;
    for (let i = 0; i < 20_000; i++) {
      const target = `${path}?${randomQuery(random, i % 2 === 0)}`;
      const fast = callbackQuery(target, path);
      if (fast === undefined) continue; // left to new URL, as before
      taken++;
      expect({ target, query: [...fast] }).toEqual({ target, query: viaUrl(target).query });
      expect(viaUrl(target).pathname).toBe(path);
    }
    expect(taken).toBeGreaterThan(10_000);
  });

  it("takes a signed WeChat target and the bare path", () => {
    const target = `${path}?signature=0a1b&timestamp=1700000000&nonce=42&openid=o-x_Y&encrypt_type=aes`;
    expect(Object.fromEntries(callbackQuery(target, path) ?? [])).toEqual({
      signature: "0a1b",
      timestamp: "1700000000",
      nonce: "42",
      openid: "o-x_Y",
      encrypt_type: "aes",
    });
    expect([...(callbackQuery(path, path) ?? ["none"])]).toEqual([]);
  });

  it("leaves to new URL every target it cannot vouch for", () => {
    for (const target of [
      `${path}/`,
      `${path}x?a=1`,
      `${path}#?a=1`,
      `${path}?a=1#b=2`,
      `${path}??a=1`,
      `${path}?a=1 `,
      `${path}?a=\t1`,
      `${path}?a=\u00e9%a5`,
      `/x/..${path}?a=1`,
      `http://localhost${path}?a=1`,
      `/wechat%38013?a=1`,
      "/",
    ]) {
      expect({ target, query: callbackQuery(target, path) }).toEqual({ target, query: undefined });
    }
  });

  it("trusts only paths the URL parser keeps as they are", () => {
    expect([isPlainPath("/wechat8013"), isPlainPath("/a/b-c_d.e"), isPlainPath("/%7e")]).toEqual([true, true, true]);
    expect([isPlainPath("/a/../b"), isPlainPath("/a b"), isPlainPath("/a\\b"), isPlainPath("/\u00e9")]).toEqual([
      false,
      false,
      false,
      false,
    ]);
  });
});
