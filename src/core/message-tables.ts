/**
 * Lookup tables derived once, at load, from the declarations in message-types.ts:
 * the hot paths (buildXml, buildEvent, the server's log) read these, never the
 * declarations themselves.
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
import type { XmlRecord, XmlValue } from "./xml.js";

/** The message types `buildMessage` knows. */
export const MESSAGE_TYPES: string[] = Object.keys(MESSAGE_SPECS);
/** The events `buildEvent` knows (canonical spelling). */
export const EVENT_TYPES: string[] = Object.keys(EVENT_SPECS);
/** The events `wxdev check` sends: every server should answer them (notifications with `success`). */
export const CHECKED_EVENTS: readonly string[] = EVENT_TYPES.filter((event) => EVENT_SPECS[event]?.checked);

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

/**
 * Fields WeChat writes as bare numbers (CreateTime, MsgId, SendPicsInfo/Count…), keyed by fieldKey; the rest
 * are CDATA. By place, not name: Location_X is a bare number in a location message, CDATA in SendLocationInfo.
 */
export const NUMERIC_FIELDS: ReadonlySet<string> = new Set(
  allFields()
    .filter(([, spec]) => spec.number)
    .map(([key]) => key),
);

/** Elements that repeat (`item`, `List`): parsed as lists even when there is one. */
export const REPEATED_ELEMENTS: ReadonlySet<string> = new Set(
  allFields()
    .filter(([, spec]) => spec.repeated)
    .map(([, spec]) => spec.name),
);

/** Notification events (lower case): WeChat ignores any reply, so servers answer `success`. */
const NOTIFICATIONS = new Set(
  EVENT_TYPES.filter((event) => EVENT_SPECS[event]?.notification).map((event) => event.toLowerCase()),
);

/** True when `event` (any case) is a notification nobody reads a reply to. */
export function isNotification(event: string): boolean {
  return NOTIFICATIONS.has(event.toLowerCase());
}

const EVENT_BY_LOWER_NAME = new Map(EVENT_TYPES.map((event) => [event.toLowerCase(), event]));

/** Canonical event names, looked up case-insensitively (users type `scan`, WeChat sends `SCAN`). */
export function canonicalEvent(name: string): string | undefined {
  return EVENT_BY_LOWER_NAME.get(name.toLowerCase());
}

function valueAt(record: XmlRecord, path: string): XmlValue | undefined {
  let value: XmlValue | undefined = record;
  for (const name of path.split("/")) {
    if (typeof value !== "object" || Array.isArray(value)) return undefined;
    value = value[name];
  }
  return value;
}

function textAt(record: XmlRecord, path: string | undefined, unit?: string): string | undefined {
  const value = path === undefined ? undefined : valueAt(record, path);
  if (typeof value !== "string") return undefined;
  return unit === undefined ? value : `${value} ${unit}`;
}

/** What a user message or event is about (its declared summary field), if it says. */
export function messageSummary(message: XmlRecord): string | undefined {
  if (typeof message.MsgType !== "string") return undefined;
  const type = message.MsgType.toLowerCase();
  const spec =
    type === "event"
      ? EVENT_SPECS[canonicalEvent(String(message.Event)) ?? ""]
      : Object.hasOwn(MESSAGE_SPECS, type)
        ? MESSAGE_SPECS[type]
        : undefined;
  return textAt(message, spec?.summary);
}

/** What a passive reply is about (its declared summary field), if it says. */
export function replySummary(reply: XmlRecord): string | undefined {
  const type = reply.MsgType;
  const spec = typeof type === "string" && Object.hasOwn(REPLY_TYPES, type) ? REPLY_TYPES[type] : undefined;
  return textAt(reply, spec?.summary, spec?.summaryUnit);
}
