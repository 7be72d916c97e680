/**
 * The shape WeChat itself sends and expects on every message: `<xml>` holding leaf
 * elements, each CDATA or bare text without markup. Reading and writing that one shape
 * directly is what lets the reference server and load mode keep up (fast-xml-parser
 * takes many times longer: npm run bench serve). Anything outside the shape —
 * declarations, attributes, nesting, entities, comments, CR, repeated names — returns
 * undefined and goes through fast-xml-parser; test/core/xml-flat.test.ts checks both
 * agree on generated messages.
 */
import { REPEATED_ELEMENTS } from "./xml-fields.js";

const CDATA_OPEN = "<![CDATA[";
const CDATA_CLOSE = "]]>";
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/**
 * One leaf element and the whitespace after it: `<Name>`, a CDATA section (group 2) or text without
 * markup or entities (group 3), `</Name>`. Sticky: each match must start where the last one ended.
 */
const LEAF = /<([A-Za-z_][A-Za-z0-9_.-]*)>(?:<!\[CDATA\[([\s\S]*?)\]\]>|([^<&>]*))<\/\1>[ \n\t]*/y;
/** Names the general parser treats specially (arrays, prototype keys): always the slow path. */
const SPECIAL_NAMES = new Set([...REPEATED_ELEMENTS, "__proto__", "constructor", "prototype"]);

const isSpace = (code: number): boolean => code === 32 || code === 10 || code === 9;

function skipSpace(text: string, index: number): number {
  while (index < text.length && isSpace(text.charCodeAt(index))) index++;
  return index;
}

/** A flat message: each element's name and its text. */
export type FlatMessage = Record<string, string>;

/** A record for a flat `<xml>…</xml>` message, or undefined when the input is anything else. */
export function parseFlatMessage(text: string): FlatMessage | undefined {
  if (!text.startsWith("<xml>") || !text.endsWith("</xml>") || text.includes("\r")) return undefined;
  const end = text.length - "</xml>".length;
  const record: FlatMessage = {};
  LEAF.lastIndex = skipSpace(text, "<xml>".length);
  while (LEAF.lastIndex < end) {
    const leaf = LEAF.exec(text);
    if (leaf === null) return undefined;
    const [, name = "", cdata, bare] = leaf;
    // A lazy CDATA match may run past the first `]]>` to find the closing tag: not one leaf.
    if (SPECIAL_NAMES.has(name) || name in record || cdata?.includes(CDATA_CLOSE)) return undefined;
    record[name] = cdata ?? bare?.trim() ?? "";
  }
  return LEAF.lastIndex === end ? record : undefined;
}

/** Characters a bare (non-CDATA) value may not hold without escaping. */
const NEEDS_ESCAPE = /[&<>"']/;

/**
 * `<xml>…</xml>` for a record of plain strings, or undefined when a value is nested,
 * a name is special, a CDATA value holds `]]>` (CDATA must be split) or, in a numeric field, needs escaping.
 */
export function buildFlatMessage(
  record: Readonly<Record<string, unknown>>,
  numbers: ReadonlySet<string>,
): string | undefined {
  let xml = "<xml>";
  for (const name in record) {
    const value = record[name];
    if (typeof value !== "string" || SPECIAL_NAMES.has(name) || !TAG_NAME.test(name)) return undefined;
    if (numbers.has(name)) {
      if (NEEDS_ESCAPE.test(value)) return undefined;
      xml += `<${name}>${value}</${name}>`;
    } else {
      if (value.includes(CDATA_CLOSE)) return undefined;
      xml += `<${name}>${CDATA_OPEN}${value}${CDATA_CLOSE}</${name}>`;
    }
  }
  return `${xml}</xml>`;
}
