import { InputError } from "../support/errors.js";
import { randomBytesPooled as randomBytes, randomUint32 } from "../support/random.js";
import { didYouMean } from "../support/suggest.js";
import { canonicalEvent, EVENT_TYPES, MESSAGE_TYPES } from "./message-tables.js";
import { EVENT_SPECS, type FieldSpec, MESSAGE_SPECS, type MessageSpec } from "./message-types.js";
import { makeTimestamp } from "./signature.js";
import type { XmlRecord, XmlValue } from "./xml.js";

/** Who sends, who receives, and when: the parts WeChat fills in on every message. */
export interface MessageHeader {
  /** The account's gh_ id. */
  toUserName?: string;
  /** The user's openid. */
  fromUserName?: string;
  /** Seconds since the epoch. */
  createTime?: string;
  /** 64-bit message id (messages only; events have none). */
  msgId?: string;
}

const OPENID_ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/** An openid-like user id: 28 characters starting with `o`, as WeChat issues them. */
export function randomOpenId(): string {
  let id = "o";
  for (const byte of randomBytes(27)) id += OPENID_ALPHABET[byte % 64];
  return id;
}

/** A `gh_` account id like the platform's original ids. */
export function randomAccountId(): string {
  return `gh_${randomBytes(6).toString("hex")}`;
}

/** A 19-digit, 64-bit message id as a string (it would lose digits as a JS number). */
export function randomMsgId(): string {
  // 6…8 then 18 random digits, in [6e18, 9e18): below 2^63, without BigInt arithmetic.
  const digits = (): string => String(randomUint32() % 1_000_000_000).padStart(9, "0");
  return `${6 + (randomUint32() % 3)}${digits()}${digits()}`;
}

type Sample = () => XmlValue;

/** Makes a field's sample value; undefined when the declaration gives none. */
function sampler(field: FieldSpec): Sample | undefined {
  if (field.children !== undefined) {
    const record = recordSampler(field.children);
    if (record === undefined) return undefined;
    return field.repeated ? () => [record()] : record;
  }
  const sample = field.sample;
  const one = typeof sample === "string" ? () => sample : sample;
  return field.repeated && one !== undefined ? () => [one()] : one;
}

/** Makes a record of the fields' samples, in declaration order (the XML's order). */
function recordSampler(fields: FieldSpec[]): (() => XmlRecord) | undefined {
  const makers = fields.flatMap((field) => {
    const make = sampler(field);
    return make === undefined ? [] : [[field.name, make] as const];
  });
  if (makers.length === 0) return undefined;
  return () => {
    const record: XmlRecord = {};
    for (const [name, make] of makers) record[name] = make();
    return record;
  };
}

const none = (): XmlRecord => ({});
const samplers = (specs: Record<string, MessageSpec>): Map<string, () => XmlRecord> =>
  new Map(Object.entries(specs).map(([type, spec]) => [type, recordSampler(spec.fields) ?? none]));

/** Realistic default fields for each message type and event, compiled once from the declarations. */
const MESSAGE_DEFAULTS = samplers(MESSAGE_SPECS);
const EVENT_DEFAULTS = samplers(EVENT_SPECS);

function makeHeader(header: MessageHeader, msgType: string): XmlRecord {
  return {
    ToUserName: header.toUserName ?? randomAccountId(),
    FromUserName: header.fromUserName ?? randomOpenId(),
    CreateTime: header.createTime ?? makeTimestamp(),
    MsgType: msgType,
  };
}

/** A field's override: text, a record merged into the sample's, or a list whose items are. */
export type FieldOverride = string | FieldOverrides | FieldOverride[] | undefined;
/** Overrides for a built message's fields; undefined (at any depth) keeps the sample. */
export interface FieldOverrides {
  [name: string]: FieldOverride;
}

const isRecord = (value: unknown): value is XmlRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value);

/** `override` laid over `base`: records merge key by key, each list item over the sample's item. */
function merge(base: XmlValue | undefined, override: FieldOverride): XmlValue | undefined {
  if (override === undefined) return base;
  if (typeof override === "string") return override;
  if (Array.isArray(override)) {
    const items = Array.isArray(base) ? base : [];
    return override.map((item, index) => merge(items[index] ?? items[0], item) ?? "");
  }
  const record: XmlRecord = isRecord(base) ? { ...base } : {};
  for (const key in override) {
    const value = merge(record[key], override[key]);
    if (value !== undefined) record[key] = value;
  }
  return record;
}

/** Sets each `countOf` field to the length of its list, unless the overrides set it themselves. */
function syncCounts(record: XmlRecord, fields: FieldSpec[], overrides: FieldOverride): void {
  const given = isRecord(overrides) ? (overrides as FieldOverrides) : {};
  for (const field of fields) {
    if (field.countOf !== undefined && given[field.name] === undefined) {
      const items = field.countOf
        .split("/")
        .reduce<XmlValue | undefined>((v, name) => (isRecord(v) ? v[name] : undefined), record);
      if (Array.isArray(items)) record[field.name] = String(items.length);
    }
    const value = record[field.name];
    if (field.children === undefined || value === undefined) continue;
    const values = Array.isArray(value) ? value : [value];
    const overridden = given[field.name];
    values.forEach((item, index) => {
      if (isRecord(item))
        syncCounts(item, field.children ?? [], Array.isArray(overridden) ? overridden[index] : overridden);
    });
  }
}

/**
 * Leaves out each field sent only when a sibling holds certain values (`onlyWhen`) where it does not;
 * one the overrides set there is an error, since WeChat never sends it so.
 */
function applyConditions(record: XmlRecord, fields: FieldSpec[], overrides: FieldOverride): void {
  const given = isRecord(overrides) ? (overrides as FieldOverrides) : {};
  for (const field of fields) {
    const value = record[field.name];
    if (value === undefined) continue;
    const condition = field.onlyWhen;
    const sibling = condition === undefined ? undefined : record[condition.field];
    if (condition !== undefined && !(typeof sibling === "string" && condition.values.includes(sibling))) {
      if (given[field.name] !== undefined)
        throw new InputError(
          `${field.name} is sent only when ${condition.field} is ${condition.values.join(" or ")}` +
            ` (here ${JSON.stringify(sibling ?? "")})`,
          { hint: `drop ${field.name}, or set ${condition.field} to ${condition.values.join(" or ")}` },
        );
      delete record[field.name];
    } else if (field.children !== undefined && isRecord(value)) {
      applyConditions(value, field.children, given[field.name]);
    }
  }
}

/** The declared samples with `overrides` laid over them, counts kept in step with their lists. */
function withOverrides(spec: MessageSpec | undefined, samples: XmlRecord, overrides: FieldOverrides): XmlRecord {
  const record = merge(samples, overrides) as XmlRecord;
  syncCounts(record, spec?.fields ?? [], overrides);
  applyConditions(record, spec?.fields ?? [], overrides);
  return record;
}

/** Builds a user message of `type` (text, image, …) as WeChat sends it; `fields` override the samples. */
export function buildMessage(type: string, fields: FieldOverrides = {}, header: MessageHeader = {}): XmlRecord {
  const defaults = MESSAGE_DEFAULTS.get(type);
  if (defaults === undefined) {
    throw new InputError(`unknown message type ${type}${didYouMean(type, MESSAGE_TYPES)}`, {
      hint: `use one of: ${MESSAGE_TYPES.join(", ")}`,
    });
  }
  const message = Object.assign(makeHeader(header, type), withOverrides(MESSAGE_SPECS[type], defaults(), fields));
  message.MsgId = header.msgId ?? randomMsgId();
  return message;
}

/** Builds an event (subscribe, SCAN, CLICK…; any case) as WeChat sends it; nested `fields` merge into the samples. */
export function buildEvent(event: string, fields: FieldOverrides = {}, header: MessageHeader = {}): XmlRecord {
  const name = canonicalEvent(event);
  if (name === undefined) {
    throw new InputError(`unknown event ${event}${didYouMean(event, EVENT_TYPES)}`, {
      hint: `use one of: ${EVENT_TYPES.join(", ")}`,
    });
  }
  const samples = EVENT_DEFAULTS.get(name)?.() ?? {};
  return { ...makeHeader(header, "event"), Event: name, ...withOverrides(EVENT_SPECS[name], samples, fields) };
}

/** Builds a passive reply to `request`: To/From swapped, CreateTime now. */
export function buildReply(
  request: XmlRecord,
  msgType: string,
  fields: XmlRecord,
  now: number = Date.now(),
): XmlRecord {
  return {
    ToUserName: String(request.FromUserName ?? ""),
    FromUserName: String(request.ToUserName ?? ""),
    CreateTime: makeTimestamp(now),
    MsgType: msgType,
    ...fields,
  };
}

/** A text reply to `request`. */
export function textReply(request: XmlRecord, content: string, now?: number): XmlRecord {
  return buildReply(request, "text", { Content: content }, now);
}

/** The key WeChat retries under: sender + MsgId for messages, sender + time (+ event) for events. */
export function dedupKey(message: XmlRecord): string {
  // The sender too: a reused MsgId from someone else must not get the first sender's reply.
  if (typeof message.MsgId === "string" && message.MsgId !== "")
    return `msg:${String(message.FromUserName ?? "")}:${message.MsgId}`;
  return ["event", message.FromUserName, message.CreateTime, message.Event, message.EventKey ?? ""]
    .map(String)
    .join(":");
}
