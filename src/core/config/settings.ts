import { ConfigError, InputError } from "../support/errors.js";
import { DEFAULT_MODE, MODES, type Mode } from "../wire/modes.js";

/** How a setting's value is checked: free text, or one of the message modes. */
type SettingType = "string" | "mode";

/** One setting: its config key (the table's key), environment variable and flag. */
export interface SettingSpec {
  readonly type: SettingType;
  /** The environment variable that sets it; none for settings that differ per invocation. */
  readonly env?: string;
  /** The CLI flag that sets it, as commander takes it; none for secrets, which stay out of shell history. */
  readonly flag?: string;
  /** The flag's --help text. */
  readonly help?: string;
  /** Never shown in full: redacted from error output, masked in tables. */
  readonly secret?: boolean;
  /** The value when nobody sets it (see withDefaults). */
  readonly default?: string;
}

/**
 * Every setting, once: config key, environment variable, flag and help. The config schema, the
 * lookup (flags over environment over file), the flags and "where did this value come from" derive from it.
 */
export const SETTINGS = {
  token: {
    type: "string",
    env: "WXDEV_TOKEN",
    flag: "--token <token>",
    help: "the Token (better: WXDEV_TOKEN or wxdev.config.json, kept out of shell history)",
    secret: true,
  },
  appId: {
    type: "string",
    env: "WXDEV_APP_ID",
    flag: "--app-id <appid>",
    help: "the account's appId (or WXDEV_APP_ID)",
  },
  appSecret: { type: "string", env: "WXDEV_APP_SECRET", secret: true },
  aesKey: {
    type: "string",
    env: "WXDEV_AES_KEY",
    flag: "--aes-key <key>",
    help: "the 43-character EncodingAESKey (better: WXDEV_AES_KEY)",
    secret: true,
  },
  url: {
    type: "string",
    env: "WXDEV_URL",
    flag: "--url <url>",
    help: 'the server\'s callback URL (or WXDEV_URL, or "url" in wxdev.config.json)',
  },
  mode: {
    type: "mode",
    flag: "--mode <mode>",
    help: `message mode (default: config, else ${DEFAULT_MODE})`,
    default: DEFAULT_MODE,
  },
  apiBase: {
    type: "string",
    flag: "--api-base <url>",
    help: "API base (default https://api.weixin.qq.com; e.g. http://127.0.0.1:9000 for wxdev mock)",
  },
  /** The JS-SDK ticket `wxdev jsapi-sign` signs with (its --ticket flag is the command's own). */
  jsapiTicket: { type: "string", env: "WXDEV_JSAPI_TICKET", secret: true },
  /** The SSH login's password: never a flag, which would land in shell history. */
  sshPassword: { type: "string", env: "WXDEV_SSH_PASSWORD", secret: true },
  /** The passphrase of an encrypted SSH key. */
  sshPassphrase: { type: "string", env: "WXDEV_SSH_PASSPHRASE", secret: true },
  callbackDomain: {
    type: "string",
    flag: "--callback-domain <domain>",
    help: "the 授权回调页面域名 set on the platform: redirects elsewhere get error 10003",
  },
} as const satisfies Record<string, SettingSpec>;

/** The name of a setting, as the config file and core errors spell it. */
export type SettingKey = keyof typeof SETTINGS;

/** The keys of SETTINGS, in the table's order. */
export const SETTING_KEYS = Object.keys(SETTINGS) as SettingKey[];

type ValueOf<T extends SettingType> = T extends "mode" ? Mode : string;

/** The settings a command works with after flags, environment and file are merged. */
export type Settings = { [K in SettingKey]?: ValueOf<(typeof SETTINGS)[K]["type"]> };

/** Where a setting came from, for messages such as "token from WXDEV_TOKEN". */
export type SettingSource = "flag" | "env" | "file" | "default";

/** Merged settings, and where each one came from. */
export interface ResolvedSettings<S extends Settings = Settings> {
  settings: S;
  sources: Partial<Record<SettingKey, SettingSource>>;
}

type DefaultedKey = {
  [K in SettingKey]: (typeof SETTINGS)[K] extends { readonly default: string } ? K : never;
}[SettingKey];

/** Settings after withDefaults: each one that has a default is set. */
export type DefaultedSettings = Settings & { [K in DefaultedKey]-?: NonNullable<Settings[K]> };

/** Merges settings: flags over environment over file; undefined flags and empty variables do not count. */
export function resolveSettings(input: {
  config: Settings;
  env: Readonly<Record<string, string | undefined>>;
  flags: Partial<Settings>;
}): ResolvedSettings {
  const settings: Record<string, unknown> = {};
  const sources: Partial<Record<SettingKey, SettingSource>> = {};
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTINGS[key];
    const fromEnv = spec.env === undefined ? undefined : input.env[spec.env];
    const candidates: [unknown, SettingSource][] = [
      [input.flags[key], "flag"],
      [fromEnv === "" ? undefined : fromEnv, "env"],
      [input.config[key], "file"],
    ];
    const found = candidates.find(([value]) => value !== undefined);
    if (found !== undefined) {
      settings[key] = found[0];
      sources[key] = found[1];
    }
  }
  if (settings.mode !== undefined && !(MODES as readonly unknown[]).includes(settings.mode)) {
    throw new ConfigError(`mode must be one of ${MODES.join(", ")} (got ${JSON.stringify(settings.mode)})`, {
      key: "mode",
    });
  }
  return { settings: settings as Settings, sources };
}

/** Resolved settings with each one nobody set that has a default (mode) given it; its source is "default". */
export function withDefaults({ settings, sources }: ResolvedSettings): ResolvedSettings<DefaultedSettings> {
  const filled: Record<string, unknown> = { ...settings };
  const from = { ...sources };
  for (const key of SETTING_KEYS) {
    const spec: SettingSpec = SETTINGS[key];
    if (filled[key] !== undefined || spec.default === undefined) continue;
    filled[key] = spec.default;
    from[key] = "default";
  }
  return { settings: filled as DefaultedSettings, sources: from };
}

/**
 * A setting a task needs but nobody set: bad input that names the setting keys (`aesKey`), as
 * ConfigError names a file's key; the CLI turns the keys into its flags, variables and config keys.
 */
export class MissingSettingError extends InputError {
  readonly keys: readonly SettingKey[];

  constructor(keys: SettingKey | readonly SettingKey[], message?: string) {
    const list = typeof keys === "string" ? [keys] : keys;
    super(message ?? `missing ${list.join(" and ")}`, {
      hint: `set ${list.map((key) => `"${key}"`).join(" and ")}`,
      code: "MISSING_SETTING",
    });
    this.keys = list;
  }
}
