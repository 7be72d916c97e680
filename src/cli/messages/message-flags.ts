import { type Command, Option } from "commander";
import { InputError } from "../../core/support/errors.js";
import { canonicalEvent, EVENT_TYPES, MESSAGE_TYPES } from "../../core/wire/message-tables.js";
import { EVENT_SPECS, type FieldSpec, MESSAGE_SPECS } from "../../core/wire/message-types.js";
import type { FieldOverrides } from "../../core/wire/messages.js";
import { checkFlagValue } from "./message-flag-values.js";

/** A `wxdev simulate` flag, derived from the fields that declare it. */
interface MessageFlag {
  /** As commander takes it: `--lat <latitude>`. */
  spec: string;
  /** `--lat`. */
  name: string;
  /** The property commander stores it under (`--link-url` → `linkUrl`). */
  key: string;
  /** "location: Location_X / event: Latitude". */
  help: string;
  /** It sets a field inside a repeated element (`--pic-md5`): each use adds one element. */
  repeatable: boolean;
}

/** One element on the way to a field: its name, and whether it repeats. */
interface Step {
  name: string;
  repeated: boolean;
}

/** A field a type takes from a flag: where it sits and what it accepts. */
interface FlagField {
  path: Step[];
  key: string;
  field: FieldSpec;
}

const optionKey = (spec: string): string =>
  (spec.split(" ")[0] ?? "").replace(/^--/, "").replace(/-([a-z])/g, (_, letter: string) => letter.toUpperCase());

/** Each type's flag-set fields: type (or `event:<Event>`) → the fields. */
const FIELDS_BY_TYPE = new Map<string, FlagField[]>();
/** Each type's field taken from the words after it (text → Content). */
const ARGUMENT_FIELD = new Map<string, FieldSpec>();

function collectFlags(): MessageFlag[] {
  const flags = new Map<string, MessageFlag & { uses: Map<string, string[]> }>();
  const declare = (typeKey: string, label: string, field: FieldSpec, path: Step[]): void => {
    if (field.fromArguments) ARGUMENT_FIELD.set(typeKey, field);
    if (field.flag === undefined) return;
    const key = optionKey(field.flag);
    const name = field.flag.split(" ")[0] ?? "";
    const repeatable = path.some((step) => step.repeated);
    const flag = flags.get(key) ?? { spec: field.flag, name, key, help: "", repeatable, uses: new Map() };
    flags.set(key, flag);
    const help = field.flagHelp === undefined ? field.name : `${field.name} (${field.flagHelp})`;
    const labels = flag.uses.get(help) ?? [];
    if (!labels.includes(label)) labels.push(label);
    flag.uses.set(help, labels);
    FIELDS_BY_TYPE.set(typeKey, [...(FIELDS_BY_TYPE.get(typeKey) ?? []), { path, key, field }]);
  };
  const walk = (typeKey: string, label: string, fields: FieldSpec[], parent: Step[] = []): void => {
    for (const field of fields) {
      const path = [...parent, { name: field.name, repeated: field.repeated === true }];
      if (field.children === undefined) declare(typeKey, label, field, path);
      else walk(typeKey, label, field.children, path);
    }
  };
  for (const [type, spec] of Object.entries(MESSAGE_SPECS)) walk(type, type, spec.fields);
  for (const [event, spec] of Object.entries(EVENT_SPECS)) walk(`event:${event}`, event, spec.fields);
  return [...flags.values()].map(({ uses, ...flag }) => ({
    ...flag,
    help: [...uses].map(([field, labels]) => `${labelList(labels)}: ${field}`).join(" / "),
  }));
}

/** `image/voice`, `event pic_sysphoto/pic_weixin`, or plain `event` when many events share the field. */
function labelList(labels: string[]): string {
  const events = labels.filter((label) => !MESSAGE_TYPES.includes(label));
  const types = labels.filter((label) => MESSAGE_TYPES.includes(label));
  if (events.length > 0) types.push(events.length > 3 ? "event" : `event ${events.join("/")}`);
  return types.join("/");
}

/** The flags that set message and event fields, in declaration order. */
export const MESSAGE_FLAGS: readonly MessageFlag[] = collectFlags();

/** `[type]`'s help: every message type, and `event`. */
export const TYPE_ARGUMENT_HELP = [...MESSAGE_TYPES, "event"].join(" | ");
/** The event names simulate accepts, as users type them. */
export const EVENT_NAMES_HELP = EVENT_TYPES.map((event) => event.toLowerCase()).join(", ");

const collect = (value: string, previous: string[] | undefined): string[] => [...(previous ?? []), value];

/** Adds every message flag to `command`, but for those it already has (simulate's own --msg-id). */
export function addMessageFlags(command: Command): Command {
  for (const flag of MESSAGE_FLAGS) {
    if (command.options.some((option) => option.long === flag.name)) continue;
    const option = new Option(flag.spec, flag.repeatable ? `${flag.help} (repeat for more)` : flag.help);
    command.addOption(flag.repeatable ? option.argParser(collect) : option);
  }
  return command;
}

/** `event:scan` → `event:SCAN`; message types as they are. */
const typeKeyOf = (type: string): string =>
  type.startsWith("event:") ? `event:${canonicalEvent(type.slice(6)) ?? type.slice(6)}` : type;
/** `event:SCAN` → `event SCAN`, as users type it. */
const typeLabel = (typeKey: string): string => typeKey.replace(":", " ");

const isSet = (value: unknown): boolean => value !== undefined && value !== false;

/** The message flags set in `values`, by name (`--lat`). */
export function messageFlagsSet(values: Readonly<Record<string, unknown>>): string[] {
  return MESSAGE_FLAGS.filter((flag) => isSet(values[flag.key])).map((flag) => flag.name);
}

function refuseForeignFlag(typeKey: string, flag: MessageFlag, own: FlagField[]): never {
  const names = [...new Set(own.map((f) => MESSAGE_FLAGS.find((m) => m.key === f.key)?.name))];
  throw new InputError(`${flag.name} does not apply to ${typeLabel(typeKey)}`, {
    hint:
      names.length === 0
        ? `${typeLabel(typeKey)} takes no field flags; see wxdev simulate --help`
        : `${typeLabel(typeKey)} takes ${names.join(", ")}`,
  });
}

/**
 * Refuses a message flag the type (or `event:<name>`) has no field for, and a value its field cannot hold
 * (`--lat 1e3`). Unknown types are left to the builder, which names the known ones.
 */
export function checkMessageFlags(type: string, values: Readonly<Record<string, unknown>>): void {
  const typeKey = typeKeyOf(type);
  const own = FIELDS_BY_TYPE.get(typeKey) ?? [];
  const known = type.startsWith("event:") ? canonicalEvent(type.slice(6)) !== undefined : MESSAGE_TYPES.includes(type);
  if (!known) return;
  for (const flag of MESSAGE_FLAGS) {
    // A user message's MsgId is a header field simulate sets itself.
    if (!isSet(values[flag.key]) || (flag.key === "msgId" && !typeKey.startsWith("event:"))) continue;
    if (!own.some((f) => f.key === flag.key)) refuseForeignFlag(typeKey, flag, own);
  }
  for (const { key, field } of own) {
    const value = values[key];
    const flag = MESSAGE_FLAGS.find((m) => m.key === key);
    for (const one of Array.isArray(value) ? value : [value])
      if (typeof one === "string" && flag !== undefined) checkFlagValue(flag.name, one, field);
  }
}

/** True when the type (or `event:<name>`, any case) has a field the flag stored under `key` sets (`msgId`). */
export function takesFlag(type: string, key: string): boolean {
  return (FIELDS_BY_TYPE.get(typeKeyOf(type)) ?? []).some((field) => field.key === key);
}

/** True when `type` takes its main field from the words after it (`simulate text hello`). */
export function takesArguments(type: string): boolean {
  return ARGUMENT_FIELD.has(type);
}

/** Sets `value` at `path` in `target`: a repeated element gets one item per value. */
function place(target: FieldOverrides, path: Step[], value: string | string[]): void {
  const [step, ...rest] = path;
  if (step === undefined) return;
  if (rest.length === 0) {
    // A repeated element (`--fail-idx 1 --fail-idx 3`) gets one per value; any other field the words joined.
    if (step.repeated) target[step.name] = typeof value === "string" ? [value] : value;
    else target[step.name] = typeof value === "string" ? value : value.join(" ");
  } else if (step.repeated) {
    const items = (target[step.name] as FieldOverrides[] | undefined) ?? [];
    target[step.name] = items;
    for (const [index, one] of (typeof value === "string" ? [value] : value).entries()) {
      const item = items[index] ?? {};
      items[index] = item;
      place(item, rest, one);
    }
  } else {
    const child = (target[step.name] as FieldOverrides | undefined) ?? {};
    target[step.name] = child;
    place(child, rest, value);
  }
}

/**
 * The fields a message type (or `event:<name>`) takes from the flags and words, nested where the
 * field is; fields whose flag is not set keep the declared samples.
 */
export function fieldsFromFlags(
  type: string,
  args: string[],
  values: Readonly<Record<string, unknown>>,
): FieldOverrides {
  const typeKey = typeKeyOf(type);
  const fields: FieldOverrides = {};
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
  for (const { path, key } of FIELDS_BY_TYPE.get(typeKey) ?? []) {
    const value = values[key];
    if (typeof value === "string" || Array.isArray(value)) place(fields, path, value as string | string[]);
  }
  return fields;
}
