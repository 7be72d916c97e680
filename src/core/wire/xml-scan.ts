/**
 * Walks markup that may be hostile (a reply from any server, a request body) in one pass. Each search for a
 * closing delimiter is remembered, so an unclosed `<!--`, `<![CDATA[` or `<` repeated a million times costs one
 * scan, not one per opener: the regular expressions this replaces restarted at every opener (quadratic and worse).
 */

/** One piece of the text: a tag (closing or self-closing, with its name), a CDATA section, or text. */
export type MarkupToken =
  | { type: "tag"; name: string; closing: boolean; selfClosing: boolean }
  | { type: "cdata"; text: string }
  | { type: "text"; text: string };

/** indexOf of one needle for positions that only move forward: each part of the text is searched once. */
class Finder {
  private from = -1;
  private found = -1;

  constructor(
    private readonly text: string,
    private readonly needle: string,
  ) {}

  next(from: number): number {
    if (this.from !== -1 && from >= this.from && (this.found === -1 || this.found >= from)) return this.found;
    this.from = from;
    this.found = this.text.indexOf(this.needle, from);
    return this.found;
  }
}

const SPACE = /\s*/y;
const ROOT_NAME = /<([^\s/>!?]+)/y;
const TAG_NAME = /[^\s/>]+/y;

function skipSpace(text: string, at: number): number {
  SPACE.lastIndex = at;
  SPACE.test(text);
  return SPACE.lastIndex;
}

/** The root element's name after an optional `<?xml …?>` and comments, or undefined when there is none. */
export function rootName(text: string): string | undefined {
  let at = skipSpace(text, 0);
  if (text.startsWith("<?", at)) {
    const end = text.indexOf("?>", at + 2);
    if (end === -1) return undefined;
    at = skipSpace(text, end + 2);
  }
  while (text.startsWith("<!--", at)) {
    const end = text.indexOf("-->", at + 4);
    if (end === -1) return undefined;
    at = skipSpace(text, end + 3);
  }
  ROOT_NAME.lastIndex = at;
  return ROOT_NAME.exec(text)?.[1];
}

/**
 * The text's tokens in order. Comments, declarations and processing instructions are skipped; an unclosed one, or
 * an unclosed CDATA section, runs to the end; a `<` that opens no tag is text.
 */
export function* markupTokens(text: string): Generator<MarkupToken> {
  const cdataEnd = new Finder(text, "]]>");
  const commentEnd = new Finder(text, "-->");
  const tagEnd = new Finder(text, ">");
  const lt = new Finder(text, "<");
  let at = 0;
  while (at < text.length) {
    if (text.charCodeAt(at) !== 60 /* < */) {
      const next = lt.next(at);
      const end = next === -1 ? text.length : next;
      yield { type: "text", text: text.slice(at, end) };
      at = end;
    } else if (text.startsWith("<![CDATA[", at)) {
      const close = cdataEnd.next(at + 9);
      yield { type: "cdata", text: text.slice(at + 9, close === -1 ? text.length : close) };
      at = close === -1 ? text.length : close + 3;
    } else if (text.startsWith("<!--", at)) {
      const close = commentEnd.next(at + 4);
      at = close === -1 ? text.length : close + 3;
    } else if (text.startsWith("<?", at) || text.startsWith("<!", at)) {
      const close = tagEnd.next(at + 2);
      at = close === -1 ? text.length : close + 1;
    } else {
      const tag = tagAt(text, at, tagEnd.next(at + 1));
      if (tag === undefined) {
        // Not a tag: the `<` and what follows, up to the next `<`, are text.
        const next = lt.next(at + 1);
        const end = next === -1 ? text.length : next;
        yield { type: "text", text: text.slice(at, end) };
        at = end;
      } else {
        yield tag.token;
        at = tag.end;
      }
    }
  }
}

/** The tag starting at `at` and ending at the `>` at `close`, or undefined when it has no name (or no end). */
function tagAt(text: string, at: number, close: number): { token: MarkupToken; end: number } | undefined {
  if (close === -1) return undefined;
  const closing = text.charCodeAt(at + 1) === 47; /* / */
  TAG_NAME.lastIndex = closing ? at + 2 : at + 1;
  const name = TAG_NAME.exec(text)?.[0];
  if (name === undefined) return undefined;
  const selfClosing = close > at + 1 && text.charCodeAt(close - 1) === 47 && TAG_NAME.lastIndex < close;
  return { token: { type: "tag", name, closing, selfClosing }, end: close + 1 };
}
