/**
 * What the XML codec (xml.ts, xml-flat.ts) needs from the declarations in message-types.ts, derived once
 * when it loads: which fields are bare numbers and which elements repeat. Apart from message-tables.ts
 * because walking every declaration costs a start-up that only lists them (`simulate --help`).
 */
import {
  COMMON_SPEC,
  ENVELOPE_SPEC,
  EVENT_SPECS,
  type FieldSpec,
  MESSAGE_SPECS,
  MSG_ID_SPEC,
  REPLY_TYPES,
} from "./message-types.js";

/** A field's key in NUMERIC_FIELDS: its name at the top level, `Parent/Name` inside an element. */
export const fieldKey = (name: string, parent?: string): string => (parent === undefined ? name : `${parent}/${name}`);

/** Every field, nested ones included, of every declaration, with its key (see fieldKey). */
function allFields(): [key: string, field: FieldSpec][] {
  const flat = (fields: FieldSpec[], parent?: string): [string, FieldSpec][] =>
    fields.flatMap((f) => [[fieldKey(f.name, parent), f] as [string, FieldSpec], ...flat(f.children ?? [], f.name)]);
  const replies = Object.values(REPLY_TYPES).flatMap((spec) => [
    ...flat(spec.fields),
    ...(spec.wrapper === undefined ? [] : flat(spec.wrapper.fields, spec.wrapper.name)),
  ]);
  return [
    ...flat([
      ...COMMON_SPEC,
      MSG_ID_SPEC,
      ...ENVELOPE_SPEC,
      ...Object.values(MESSAGE_SPECS).flatMap((spec) => spec.fields),
      ...Object.values(EVENT_SPECS).flatMap((spec) => spec.fields),
    ]),
    ...replies,
  ];
}

const ALL_FIELDS = allFields();

/**
 * Fields WeChat writes as bare numbers (CreateTime, MsgId, SendPicsInfo/Count…), keyed by fieldKey; the rest
 * are CDATA. By place, not name: Location_X is a bare number in a location message, CDATA in SendLocationInfo.
 */
export const NUMERIC_FIELDS: ReadonlySet<string> = new Set(
  ALL_FIELDS.filter(([, spec]) => spec.number).map(([key]) => key),
);

/** Elements that repeat (`item`, `List`): parsed as lists even when there is one. */
export const REPEATED_ELEMENTS: ReadonlySet<string> = new Set(
  ALL_FIELDS.filter(([, spec]) => spec.repeated).map(([, spec]) => spec.name),
);
