/**
 * The shape WeChat itself sends and expects on every message: `<xml>` holding leaf
 * elements, each CDATA or bare text without markup. Reading and writing that one shape
 * directly is what lets the reference server and load mode keep up (fast-xml-parser
 * takes ~20 µs to parse a 300-byte message, this ~1 µs). Anything outside the shape —
 * declarations, attributes, nesting, entities, comments, CR, repeated names — returns
 * undefined and goes through fast-xml-parser; test/core/xml-flat.test.ts checks both
 * agree on generated messages.
 */
import { REPEATED_ELEMENTS } from "./message-tables.js";
import type { XmlRecord } from "./xml.js";

const CDATA_OPEN = "<![CDATA[";
const CDATA_CLOSE = "]]>";
const TAG_NAME = /^[A-Za-z_][A-Za-z0-9_.-]*$/;
/** Names the general parser treats specially (arrays, prototype keys): always the slow path. */
const SPECIAL_NAMES = new Set([...REPEATED_ELEMENTS, "__proto__", "constructor", "prototype"]);

const isSpace = (code: number): boolean => code === 32 || code === 10 || code === 9;

function skipSpace(text: string, index: number): number {
  while (index < text.length && isSpace(text.charCodeAt(index))) index++;
  return index;
}

/** A record for a flat `<xml>…</xml>` message, or undefined when the input is anything else. */
export function parseFlatMessage(text: string): XmlRecord | undefined {
  if (!text.startsWith("<xml>") || !text.endsWith("</xml>") || text.includes("\r")) return undefined;
  const end = text.length - "</xml>".length;
  const record: XmlRecord = {};
  let index = skipSpace(text, "<xml>".length);
  while (index < end) {
    if (text.charCodeAt(index) !== 60 /* < */) return undefined;
    const nameEnd = text.indexOf(">", index + 1);
    if (nameEnd === -1 || nameEnd > end) return undefined;
    const name = text.slice(index + 1, nameEnd);
    if (!TAG_NAME.test(name) || SPECIAL_NAMES.has(name) || name in record) return undefined;
    const closing = `</${name}>`;
    let value: string;
    let valueEnd: number;
    if (text.startsWith(CDATA_OPEN, nameEnd + 1)) {
      const cdataEnd = text.indexOf(CDATA_CLOSE, nameEnd + 1 + CDATA_OPEN.length);
      if (cdataEnd === -1) return undefined;
      value = text.slice(nameEnd + 1 + CDATA_OPEN.length, cdataEnd);
      valueEnd = cdataEnd + CDATA_CLOSE.length;
    } else {
      valueEnd = text.indexOf("<", nameEnd + 1);
      if (valueEnd === -1) return undefined;
      value = text.slice(nameEnd + 1, valueEnd);
      if (value.includes("&") || value.includes(">")) return undefined;
      value = value.trim();
    }
    if (!text.startsWith(closing, valueEnd)) return undefined;
    record[name] = value;
    index = skipSpace(text, valueEnd + closing.length);
  }
  return index === end ? record : undefined;
}

/** Characters a bare (non-CDATA) value may not hold without escaping. */
const NEEDS_ESCAPE = /[&<>"']/;

/**
 * `<xml>…</xml>` for a record of plain strings, or undefined when a value is nested,
 * a name is special, a CDATA value holds `]]>` (CDATA must be split) or, in a numeric field, needs escaping.
 */
export function buildFlatMessage(record: XmlRecord, numbers: ReadonlySet<string>): string | undefined {
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
