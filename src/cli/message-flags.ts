import type { Command } from "commander";
import { InputError } from "../core/errors.js";
import { canonicalEvent, EVENT_TYPES, MESSAGE_TYPES } from "../core/message-tables.js";
import { EVENT_SPECS, type FieldSpec, MESSAGE_SPECS } from "../core/message-types.js";

/** A `wxdev simulate` flag, derived from the fields that declare it. */
interface MessageFlag {
  /** As commander takes it: `--lat <latitude>`. */
  spec: string;
  /** The property commander stores it under (`--link-url` → `linkUrl`). */
  key: string;
  /** "location: Location_X / event: Latitude". */
  help: string;
  /** Some field it sets is a number, so the value must be one (the sample is the example). */
  numericExample?: string;
}

const optionKey = (spec: string): string =>
  (spec.split(" ")[0] ?? "").replace(/^--/, "").replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Each type's flag-set fields: type (or `event:<Event>`) → [field, option key]. */
const FIELDS_BY_TYPE = new Map<string, [field: string, key: string][]>();
/** Each type's field taken from the words after it (text → Content). */
const ARGUMENT_FIELD = new Map<string, FieldSpec>();

function collectFlags(): MessageFlag[] {
  const flags = new Map<string, MessageFlag & { uses: Map<string, string[]> }>();
  const declare = (typeKey: string, label: string, field: FieldSpec): void => {
    if (field.fromArguments) ARGUMENT_FIELD.set(typeKey, field);
    if (field.flag === undefined) return;
    const key = optionKey(field.flag);
    const flag = flags.get(key) ?? { spec: field.flag, key, help: "", uses: new Map<string, string[]>() };
    flags.set(key, flag);
    const help = field.flagHelp === undefined ? field.name : `${field.name} (${field.flagHelp})`;
    const labels = flag.uses.get(help) ?? [];
    if (!labels.includes(label)) labels.push(label);
    flag.uses.set(help, labels);
    const sample = typeof field.sample === "string" ? field.sample : "1";
    if (field.number) flag.numericExample ??= sample;
    FIELDS_BY_TYPE.set(typeKey, [...(FIELDS_BY_TYPE.get(typeKey) ?? []), [field.name, key]]);
  };
  for (const [type, spec] of Object.entries(MESSAGE_SPECS)) for (const f of spec.fields) declare(type, type, f);
  for (const [event, spec] of Object.entries(EVENT_SPECS))
    for (const f of spec.fields) declare(`event:${event}`, "event", f);
  return [...flags.values()].map(({ uses, ...flag }) => ({
    ...flag,
    help: [...uses].map(([field, labels]) => `${labels.join("/")}: ${field}`).join(" / "),
  }));
}

/** The flags that set message and event fields, in declaration order. */
export const MESSAGE_FLAGS: readonly MessageFlag[] = collectFlags();

/** `[type]`'s help: every message type, and `event`. */
export const TYPE_ARGUMENT_HELP = [...MESSAGE_TYPES, "event"].join(" | ");
/** The event names simulate accepts, as users type them. */
export const EVENT_NAMES_HELP = EVENT_TYPES.map((event) => event.toLowerCase()).join(", ");

/** Adds every message flag to `command`. */
export function addMessageFlags(command: Command): Command {
  for (const flag of MESSAGE_FLAGS) command.option(flag.spec, flag.help);
  return command;
}

/** Refuses a numeric flag whose value is not a number (whatever the type, as before it is sent). */
export function checkNumericFlags(values: Readonly<Record<string, unknown>>): void {
  for (const flag of MESSAGE_FLAGS) {
    const value = values[flag.key];
    if (flag.numericExample === undefined || typeof value !== "string" || Number.isFinite(Number(value))) continue;
    const name = flag.spec.split(" ")[0];
    throw new InputError(`${name} ${value} is not a number`, { hint: `e.g. ${name} ${flag.numericExample}` });
  }
}

/** True when `type` takes its main field from the words after it (`simulate text hello`). */
export function takesArguments(type: string): boolean {
  return ARGUMENT_FIELD.has(type);
}

/**
 * The fields a message type (or `event:<name>`) takes from the flags and words;
 * undefined values keep the declared samples.
 */
export function fieldsFromFlags(
  type: string,
  args: string[],
  values: Readonly<Record<string, unknown>>,
): Record<string, string | undefined> {
  const typeKey = type.startsWith("event:") ? `event:${canonicalEvent(type.slice(6)) ?? ""}` : type;
  const fields: Record<string, string | undefined> = {};
  const argument = ARGUMENT_FIELD.get(typeKey);
  if (argument !== undefined) {
    if (args.length === 0) {
      const example = typeof argument.sample === "string" ? argument.sample : "…";
      throw new InputError(`simulate ${type} needs the ${argument.name.toLowerCase()}`, {
        hint: `e.g. wxdev simulate ${type} "${example}"`,
      });
    }
    fields[argument.name] = args.join(" ");
  }
  for (const [field, key] of FIELDS_BY_TYPE.get(typeKey) ?? []) {
    const value = values[key];
    fields[field] = typeof value === "string" ? value : undefined;
  }
  return fields;
}
