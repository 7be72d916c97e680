import { parseXml, type XmlValue } from "../wire/xml.js";

/** One field that changed between a recorded reply and today's; undefined = the field is absent. */
export interface FieldChange {
  /** The field's path, e.g. `Content` or `Articles/item[1]/Title`; `body` for an answer that is not XML. */
  field: string;
  before: string | undefined;
  after: string | undefined;
}

/** Fields every reply carries that may change between two correct answers (only at the top level). */
const IGNORED_FIELDS: ReadonlySet<string> = new Set(["CreateTime"]);

/** An answer body as WeChat reads it: no reply (`success` or empty), reply fields, or other text. */
type Comparable = { kind: "none" } | { kind: "xml"; fields: Map<string, string> } | { kind: "text"; text: string };

function flatten(value: XmlValue, path: string, into: Map<string, string>): void {
  if (typeof value === "string") {
    into.set(path, value);
  } else if (Array.isArray(value)) {
    for (const [index, item] of value.entries()) flatten(item, `${path}[${index + 1}]`, into);
  } else {
    for (const [name, inner] of Object.entries(value)) flatten(inner, `${path}/${name}`, into);
  }
}

function comparable(body: string): Comparable {
  const trimmed = body.trim();
  if (trimmed === "" || trimmed === "success") return { kind: "none" };
  let record: ReturnType<typeof parseXml>;
  try {
    record = parseXml(body);
  } catch {
    return { kind: "text", text: trimmed };
  }
  const fields = new Map<string, string>();
  for (const [name, value] of Object.entries(record)) if (!IGNORED_FIELDS.has(name)) flatten(value, name, fields);
  return { kind: "xml", fields };
}

/** How a whole answer reads in a change, when it is not compared field by field. */
function describe(answer: Comparable): string {
  if (answer.kind === "none") return "success";
  if (answer.kind === "text") return answer.text;
  return "reply XML";
}

/**
 * Compares two plaintext answers as WeChat would see them: reply XML field by field (CreateTime
 * ignored), `success` and an empty body alike (both mean no reply), anything else as text.
 */
export function diffReplies(before: string, after: string): FieldChange[] {
  const a = comparable(before);
  const b = comparable(after);
  if (a.kind === "xml" && b.kind === "xml") {
    const changes: FieldChange[] = [];
    for (const field of new Set([...a.fields.keys(), ...b.fields.keys()])) {
      const was = a.fields.get(field);
      const is = b.fields.get(field);
      if (was !== is) changes.push({ field, before: was, after: is });
    }
    return changes;
  }
  if (a.kind === b.kind && (a.kind === "none" || describe(a) === describe(b))) return [];
  return [{ field: "body", before: describe(a), after: describe(b) }];
}
