/**
 * What a strict XML 1.0 parser such as WeChat's refuses in a reply body that fast-xml-parser lets
 * through: a root other than `<xml>`, a raw `]]>` in text, and the control characters XML 1.0 forbids
 * (raw, or written as character references). Checked on the body as sent, before it becomes a record.
 */
import { errorProblem as error, type Problem } from "./problem.js";
import { markupTokens, rootName } from "./xml-scan.js";

/** U+0000–U+0008, U+000B, U+000C, U+000E–U+001F: not XML 1.0 characters (tab, LF and CR are). */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what the check looks for
const CONTROL = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]/;
const CONTROL_GLOBAL = new RegExp(CONTROL.source, "g");
const CHARACTER_REFERENCE = /&#(x[0-9a-fA-F]+|\d+);/g;

/** Problems in the reply body's markup that fast-xml-parser forgives and WeChat does not. */
export function markupProblems(body: string): Problem[] {
  const problems: Problem[] = [];
  const root = body.startsWith("<xml>") ? "xml" : rootName(body);
  if (root !== undefined && root !== "xml") {
    problems.push(error("root-element", `the root element is <${root}>; WeChat reads a reply only as <xml>…</xml>`));
  }
  // Most bodies have none of these: the scan below runs only when one may be there.
  const suspect = CONTROL.test(body) || body.includes("&#") || hasStrayCdataEnd(body);
  if (!suspect) return problems;
  const found = new Found();
  scanText(body, found);
  problems.push(...found.listed);
  if (found.more > 0) problems.push(error("more-problems", `… and ${found.more} more such problems in the body`));
  return problems;
}

/** Markup problems listed one by one; past that they are counted (a body of control characters would be a flood). */
const MAX_LISTED = 10;

/**
 * True when a `]]>` stands outside every CDATA section (an indexOf walk: load mode judges thousands of replies a
 * second).
 */
function hasStrayCdataEnd(body: string): boolean {
  let at = 0;
  for (;;) {
    const close = body.indexOf("]]>", at);
    if (close === -1) return false;
    const open = body.indexOf("<![CDATA[", at);
    if (open === -1 || close < open) return true;
    const end = body.indexOf("]]>", open + "<![CDATA[".length);
    if (end === -1) return false;
    at = end + "]]>".length;
  }
}

function isForbidden(code: number): boolean {
  return code <= 0x1f && code !== 0x09 && code !== 0x0a && code !== 0x0d;
}

const codePoint = (code: number): string => `U+${code.toString(16).toUpperCase().padStart(4, "0")}`;

interface Place {
  /** The element path below the root (`Content`, `Articles/item/Title`). */
  path: string;
  /** The offset in that element's text. */
  offset: number;
}

/** The problems found: the first MAX_LISTED described, the rest only counted. */
class Found {
  readonly listed: Problem[] = [];
  more = 0;

  add(describe: () => Problem): void {
    if (this.listed.length < MAX_LISTED) this.listed.push(describe());
    else this.more++;
  }
}

const NOT_XML = "XML 1.0 forbids it, so WeChat cannot parse the reply (strip control characters from the text)";

/** Walks the body's text and CDATA, naming each problem by element path and offset in that element's text. */
function scanText(body: string, found: Found): void {
  const stack: { name: string; offset: number }[] = [];
  const place = (at: number): Place => ({
    path: (stack.length > 1 ? stack.slice(1) : stack).map((open) => open.name).join("/") || "the body",
    offset: (stack.at(-1)?.offset ?? 0) + at,
  });
  for (const token of markupTokens(body)) {
    if (token.type === "tag") {
      if (token.closing) stack.pop();
      else if (!token.selfClosing) stack.push({ name: token.name, offset: 0 });
      continue;
    }
    const content = token.text;
    for (const control of content.matchAll(CONTROL_GLOBAL)) {
      found.add(() => {
        const { path, offset } = place(control.index);
        const code = codePoint(control[0].charCodeAt(0));
        return error("control-character", `control character ${code} at ${path} offset ${offset}: ${NOT_XML}`);
      });
    }
    if (token.type === "text") checkText(content, place, found);
    const open = stack.at(-1);
    if (open !== undefined) open.offset += content.length;
  }
}

/** Text outside CDATA: a raw `]]>`, and character references to forbidden characters. */
function checkText(text: string, place: (at: number) => Place, found: Found): void {
  const rawEnd = text.indexOf("]]>");
  if (rawEnd !== -1) {
    found.add(() => {
      const { path, offset } = place(rawEnd);
      return error(
        "raw-cdata-end",
        `${path} holds a raw \`]]>\` at offset ${offset}, outside CDATA: not well-formed XML` +
          " (a CDATA section ended early? split a `]]>` in the text as `]]]]><![CDATA[>`)",
      );
    });
  }
  for (const reference of text.matchAll(CHARACTER_REFERENCE)) {
    const ref = reference[1] ?? "";
    const code = ref.startsWith("x") ? Number.parseInt(ref.slice(1), 16) : Number(ref);
    if (!isForbidden(code)) continue;
    found.add(() => {
      const { path, offset } = place(reference.index);
      return error(
        "control-character",
        `control character ${codePoint(code)} (written ${reference[0]}) at ${path} offset ${offset}: ${NOT_XML}`,
      );
    });
  }
}
