/**
 * Lookup tables derived once, at load, from the declarations in message-types.ts:
 * the hot paths (buildEvent, the server's log) read these, never the declarations
 * themselves. What the XML codec needs is in xml-fields.ts.
 */
import { EVENT_SPECS, MESSAGE_SPECS, REPLY_TYPES } from "./message-types.js";
import type { XmlRecord, XmlValue } from "./xml.js";

/** The message types `buildMessage` knows. */
export const MESSAGE_TYPES: string[] = Object.keys(MESSAGE_SPECS);
/** The events `buildEvent` knows (canonical spelling). */
export const EVENT_TYPES: string[] = Object.keys(EVENT_SPECS);
/** The events `wxdev check` sends: every server should answer them (notifications with `success`). */
export const CHECKED_EVENTS: readonly string[] = EVENT_TYPES.filter((event) => EVENT_SPECS[event]?.checked);

/** Notification events (lower case): WeChat ignores any reply, so servers answer `success`. */
export const NOTIFICATION_EVENTS: readonly string[] = EVENT_TYPES.filter(
  (event) => EVENT_SPECS[event]?.notification,
).map((event) => event.toLowerCase());

const NOTIFICATIONS = new Set(NOTIFICATION_EVENTS);

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
