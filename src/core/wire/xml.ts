import { XMLBuilder, XMLParser, XMLValidator } from "fast-xml-parser";
import { XmlError } from "../support/errors.js";
import { fieldKey, NUMERIC_FIELDS, REPEATED_ELEMENTS } from "./xml-fields.js";
import { buildFlatMessage, parseFlatMessage } from "./xml-flat.js";

/** A parsed XML element: text for leaves, records for nested elements, arrays for repeated ones. */
export type XmlValue = string | XmlRecord | XmlValue[];
export interface XmlRecord {
  [name: string]: XmlValue;
}

export interface ParseXmlOptions {
  /** Largest accepted input in bytes (default 1 MiB). */
  maxBytes?: number;
}

export const DEFAULT_MAX_XML_BYTES = 1024 * 1024;

const CDATA = "#cdata";
/** fast-xml-parser's own default, named here for the message that reports it. */
const MAX_NESTING = 100;

const parser = new XMLParser({
  ignoreAttributes: true,
  ignoreDeclaration: true,
  ignorePiTags: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: false,
  cdataPropName: CDATA,
  // Entities are decoded in textOf (below): fast-xml-parser's own decoding of numeric
  // references (htmlEntities) costs about four times the parse itself.
  processEntities: false,
  isArray: (name) => REPEATED_ELEMENTS.has(name),
  maxNestedTags: MAX_NESTING,
});

const builder = new XMLBuilder({
  ignoreAttributes: true,
  cdataPropName: CDATA,
  suppressEmptyNode: false,
  processEntities: true,
  format: false,
});

const DECLARATION = /^(DOCTYPE|ENTITY|ELEMENT|ATTLIST)/i;
const DECLARATION_LENGTH = "ATTLIST".length;

/**
 * True when `text`, outside CDATA sections, declares a DOCTYPE or entity. One indexOf walk: a regex that skips
 * CDATA sections restarts its search at every unclosed `<![CDATA[`, quadratic in a hostile body.
 */
function declaresDoctype(text: string): boolean {
  let at = 0;
  for (;;) {
    const open = text.indexOf("<!", at);
    if (open === -1) return false;
    if (text.startsWith("<![CDATA[", open)) {
      const close = text.indexOf("]]>", open + "<![CDATA[".length);
      if (close === -1) return false; // the rest is one unclosed section: malformed, refused by the validator
      at = close + "]]>".length;
      continue;
    }
    if (DECLARATION.test(text.slice(open + 2, open + 2 + DECLARATION_LENGTH))) return true;
    at = open + 2;
  }
}

/**
 * Parses a WeChat message body (`<xml>…</xml>`) into a record. Leaf values stay
 * strings (64-bit MsgIds keep every digit); CDATA or not, declaration or not.
 * Rejects DOCTYPE/entity declarations, oversized and malformed input.
 */
export function parseXml(text: string, options: ParseXmlOptions = {}): XmlRecord {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_XML_BYTES;
  // A UTF-16 unit is at most 3 UTF-8 bytes: most bodies need no byte count.
  if (text.length > maxBytes || (text.length * 3 > maxBytes && Buffer.byteLength(text, "utf8") > maxBytes)) {
    throw new XmlError(`XML body is larger than ${maxBytes} bytes`, {
      hint: "send a smaller message (WeChat bodies are a few KiB)",
      code: "XML_TOO_LARGE",
    });
  }
  const trimmed = text.trim();
  if (trimmed === "") {
    throw new XmlError("XML body is empty", {
      hint: "pass a message such as <xml><ToUserName>…</ToUserName>…</xml>",
      code: "XML_EMPTY",
    });
  }
  return parseFlatMessage(trimmed) ?? parseXmlDocument(trimmed);
}

/** Any XML document through fast-xml-parser, with the same checks and result shape as parseXml. */
export function parseXmlDocument(trimmed: string): XmlRecord {
  if (declaresDoctype(trimmed)) {
    throw new XmlError("XML declares a DOCTYPE or entity, which wxdev refuses (entity expansion attacks)", {
      hint: "remove the <!DOCTYPE …> part; WeChat messages never carry one",
      code: "XML_DOCTYPE",
    });
  }
  const valid = XMLValidator.validate(trimmed);
  if (valid !== true) {
    const { msg, line, col } = valid.err;
    throw new XmlError(`malformed XML at line ${line}, column ${col}: ${clip(readableError(msg), 200)}`, {
      hint: "check the tags are closed and nested properly",
    });
  }
  const document = parseOrRefuse(trimmed);
  const rootName = Object.keys(document).find((key) => key !== "#text");
  if (rootName === undefined) {
    throw new XmlError("XML has no root element", { hint: "wrap the message in <xml>…</xml>" });
  }
  const root = normalise(document[rootName]);
  if (typeof root === "string" || Array.isArray(root)) {
    return root === "" || Array.isArray(root) ? {} : { "#text": root };
  }
  return root;
}

/**
 * fast-xml-parser throws plain Errors for input its validator lets through (deep nesting, prototype names):
 * bad input, typed.
 */
function parseOrRefuse(trimmed: string): Record<string, unknown> {
  try {
    return parser.parse(trimmed) as Record<string, unknown>;
  } catch (cause) {
    const message = (cause as Error).message;
    if (/nested tags/i.test(message)) {
      throw new XmlError(`XML nests elements more than ${MAX_NESTING} levels deep`, {
        hint: "WeChat messages nest two or three levels; send a real message",
        code: "XML_TOO_DEEP",
        cause,
      });
    }
    const name = /Invalid name: "([^"]*)"/.exec(message)?.[1];
    if (name !== undefined) {
      throw new XmlError(`XML uses the name <${clip(name)}>, which wxdev refuses (prototype pollution)`, {
        hint: "rename the element; WeChat messages never use it",
        code: "XML_RESERVED_NAME",
        cause,
      });
    }
    throw new XmlError(`malformed XML: ${clip(message, 200)}`, {
      hint: "check the tags are closed and nested properly",
      cause,
    });
  }
}

/** Names quoted from a body in a message: a hostile one may be a megabyte long, or list a million elements. */
const MAX_NAMED = 5;
const clip = (text: string, max = 40): string => (text.length > max ? `${text.slice(0, max)}…` : text);

/** fast-xml-parser reports unclosed elements as a JSON array ("Invalid '[ "xml", "A" ]' found."); name them instead. */
function readableError(message: string): string {
  const unclosed = /^Invalid '(\[[\s\S]*\])' found\.?$/.exec(message);
  if (unclosed === null) return message;
  try {
    const names = JSON.parse(unclosed[1] ?? "[]") as string[];
    const listed = `<${names
      .slice(0, MAX_NAMED)
      .map((name) => clip(name))
      .join(">, <")}>`;
    const more = names.length > MAX_NAMED ? ` and ${names.length - MAX_NAMED} more` : "";
    return `unclosed element${names.length > 1 ? "s" : ""} ${listed}${more}`;
  } catch {
    return message;
  }
}

/** Folds fast-xml-parser's CDATA/text nodes into plain strings and drops layout whitespace. */
function normalise(node: unknown): XmlValue {
  if (Array.isArray(node)) return node.map(normalise);
  if (node === null || node === undefined) return "";
  if (typeof node !== "object") return decodeEntities(String(node).trim());
  const entries = Object.entries(node as Record<string, unknown>);
  const children = entries.filter(([key]) => key !== "#text" && key !== CDATA);
  if (children.length === 0) return textOf(entries);
  const record: XmlRecord = {};
  for (const [key, value] of children) record[key] = normalise(value);
  return record;
}

function flatten(value: unknown): string {
  return Array.isArray(value) ? value.join("") : String(value);
}

const NAMED_ENTITIES: Record<string, string> = { lt: "<", gt: ">", amp: "&", apos: "'", quot: '"' };

/** Decodes XML's five named entities and numeric character references in one pass. */
function decodeEntities(text: string): string {
  if (!text.includes("&")) return text;
  return text.replace(/&(lt|gt|amp|apos|quot|#\d+|#x[0-9a-fA-F]+);/g, (match, name: string) => {
    if (name[0] !== "#") return NAMED_ENTITIES[name] ?? match;
    const code = name[1] === "x" || name[1] === "X" ? Number.parseInt(name.slice(2), 16) : Number(name.slice(1));
    return code <= 0x10ffff ? String.fromCodePoint(code) : match;
  });
}

/** Text content of a leaf: CDATA verbatim; bare text trimmed of layout whitespace, entities decoded. */
function textOf(entries: [string, unknown][]): string {
  const hasCdata = entries.some(([key]) => key === CDATA);
  if (!hasCdata) return decodeEntities(flatten(entries[0]?.[1] ?? "").trim());
  return entries
    .map(([key, value]) => (key === CDATA ? flatten(value) : decodeEntities(flatten(value).trim())))
    .join("");
}

/**
 * Builds `<xml>…</xml>` from a record. Strings become CDATA unless `numbers`
 * holds the field's key (fieldKey: `Name`, or `Parent/Name` when nested; by default
 * the fields declared as numbers); nested records and
 * arrays of records become nested elements.
 */
export function buildXml(record: XmlRecord, numbers: ReadonlySet<string> = NUMERIC_FIELDS): string {
  return buildFlatMessage(record, numbers) ?? buildXmlDocument(record, numbers);
}

/** buildXml through fast-xml-parser's builder: any record, nested or not. */
export function buildXmlDocument(record: XmlRecord, numbers: ReadonlySet<string> = NUMERIC_FIELDS): string {
  return builder.build({ xml: toBuilderTree(record, numbers) }) as string;
}

function toBuilderTree(value: XmlValue, numbers: ReadonlySet<string>, name = "", parent?: string): unknown {
  if (Array.isArray(value)) return value.map((item) => toBuilderTree(item, numbers, name, parent));
  if (typeof value === "string") {
    // fast-xml-parser splits a `]]>` inside CDATA across two sections itself.
    return numbers.has(fieldKey(name, parent)) ? value : { [CDATA]: value };
  }
  const tree: Record<string, unknown> = {};
  // The root's children are top-level fields, keyed by name alone.
  for (const [key, child] of Object.entries(value)) tree[key] = toBuilderTree(child, numbers, key, name || undefined);
  return tree;
}
