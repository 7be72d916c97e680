import { type Command, InvalidArgumentError, Option } from "commander";
import { CONFIG_FILE_NAME } from "../core/config/file.js";
import {
  MissingSettingError,
  SETTINGS,
  type SettingKey,
  type SettingSource,
  type SettingSpec,
} from "../core/config/settings.js";
import type { WxdevError } from "../core/support/errors.js";
import { MODES } from "../core/wire/modes.js";

/** The flag of a setting as users type it (`--aes-key`), if it has one. */
export function settingFlag(key: SettingKey): string | undefined {
  const spec: SettingSpec = SETTINGS[key];
  return spec.flag?.split(" ")[0];
}

/** The option that sets `key`, from the SETTINGS table; `help` replaces the table's text where a command differs. */
export function settingOption(key: SettingKey, help?: string): Option {
  const spec: SettingSpec = SETTINGS[key];
  if (spec.flag === undefined) throw new Error(`setting ${key} has no flag`);
  const option = new Option(spec.flag, help ?? spec.help);
  return spec.type === "mode" ? option.choices([...MODES]) : option;
}

/** Where a setting can be given, e.g. `--token, WXDEV_TOKEN or "token" in wxdev.config.json`. */
function placesOf(key: SettingKey): string {
  const spec: SettingSpec = SETTINGS[key];
  const places = [settingFlag(key), spec.env].filter((place) => place !== undefined);
  return `${places.join(", ")}${places.length > 0 ? " or " : ""}"${key}" in ${CONFIG_FILE_NAME}`;
}

/** CLI advice for missing settings, named by key: the flags, variables and config keys that set them. */
export function settingAdvice(keys: readonly SettingKey[]): string {
  if (keys.length === 1 && keys[0] !== undefined) return `set it with ${placesOf(keys[0])}`;
  return `set ${keys.map((key) => `${key} (${placesOf(key)})`).join(" and ")}`;
}

/**
 * A core error's hint with where the user changes what it names: for a setting, every place that sets it; for
 * another input, the running command's flag of that name (`port` → `--port`), when it has one: before the
 * example value the hint quotes (`e.g. --port 8013`), else after the hint.
 */
export function hintFor(error: WxdevError, command: Command | undefined): string | undefined {
  if (error instanceof MissingSettingError) return settingAdvice(error.keys);
  const { hint, input, example } = error;
  if (hint === undefined || input === undefined) return hint;
  if (Object.hasOwn(SETTINGS, input)) return `${hint} (${placesOf(input as SettingKey)})`;
  const flag = flagOf(input, command);
  if (flag === undefined) return hint;
  if (example !== undefined && hint.includes(example)) return hint.replace(example, `${flag} ${example}`);
  return `${hint} (${flag})`;
}

/** The long flag whose value is `input`, on the command or a parent (`--config`). */
function flagOf(input: string, command: Command | undefined): string | undefined {
  for (let at: Command | null | undefined = command; at; at = at.parent) {
    const flag = at.options.find((option) => option.attributeName() === input)?.long;
    if (flag !== undefined) return flag;
  }
  return undefined;
}

/**
 * Where a resolved setting came from, as users would set it: `--app-id`, `WXDEV_APP_SECRET`, the config file
 * (`file`) or the default.
 */
export function describeSource(key: SettingKey, source: SettingSource | undefined, file?: string): string {
  const spec: SettingSpec = SETTINGS[key];
  if (source === "flag") return settingFlag(key) ?? "a flag";
  if (source === "env") return spec.env ?? "the environment";
  if (source === "default") return "the default";
  return file ?? "the config file";
}

/** commander parser: a TCP port, 0 (any free port) included unless `min` is 1. */
export function portParser(min: 0 | 1 = 0): (value: string) => number {
  return (value) => {
    const port = Number(value);
    if (value.trim() === "" || !Number.isInteger(port) || port < min || port > 65535)
      throw new InvalidArgumentError(`not a port number: use ${min}-65535`);
    return port;
  };
}

/** commander parser: a deadline in seconds, more than 0 and at most an hour (WeChat waits 5 s). */
export function parseTimeout(value: string): number {
  const seconds = Number(value);
  if (value.trim() === "" || !Number.isFinite(seconds) || seconds <= 0)
    throw new InvalidArgumentError("not a number of seconds: use e.g. --timeout 5");
  if (seconds > 3600) throw new InvalidArgumentError("more than an hour: WeChat waits 5 s; use at most 3600");
  return seconds;
}

/** commander parser: whole seconds, 0 included (0 = no limit). */
export function parseSeconds(value: string): number {
  if (!/^\d{1,9}$/.test(value)) throw new InvalidArgumentError("not a number of seconds: e.g. 300, or 0 for no limit");
  return Number(value);
}

/** commander parser: a whole number of at least 1 (a count, a concurrency, a duration). */
export function parsePositiveInt(value: string): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < 1)
    throw new InvalidArgumentError("must be a whole number of at least 1, e.g. 100");
  return number;
}
