import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "./errors.js";
import { MODES, type Mode } from "./wire/modes.js";
import { locateJsonError } from "./json-syntax.js";
import { readProblem } from "./read-file.js";

/** The name wxdev looks for in the current directory and its parents. */
export const CONFIG_FILE_NAME = "wxdev.config.json";

/** One deploy target under `servers` (the deploy issue). */
export interface ServerConfig {
  /** The SSH host: a name or address, or a Host alias of ~/.ssh/config. */
  host: string;
  /** Default: ~/.ssh/config's Port, else 22. */
  port?: number;
  /** Default: ~/.ssh/config's User, else the local user name (as ssh). */
  username?: string;
  remoteDir: string;
  files?: string[];
  ignore?: string[];
  postDeploy?: string;
  appPort?: number;
  /** The key to log in with; default ~/.ssh/config's IdentityFile, else the agent and ~/.ssh/id_*. */
  privateKey?: string;
  checkUrl?: string;
  keepReleases?: number;
  /** Seconds between SSH keepalives (three unanswered drop the connection); default 15, 0 for none. */
  keepalive?: number;
  /** A virtualenvwrapper name (under $WORKON_HOME) or a path; activated for start, postDeploy and exec. */
  venv?: string;
  /** The app's command (e.g. "python wechat.py"), run by wxdev start inside the venv, detached, with a pid file. */
  start?: string;
}

/** The seconds between SSH keepalives for a server: its "keepalive", else 15 (ssh's common choice); 0: none. */
export const keepaliveSeconds = (server: ServerConfig): number => server.keepalive ?? 15;

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
  mode: { type: "mode", flag: "--mode <mode>", help: "message mode (default: config, else plain)" },
  apiBase: {
    type: "string",
    flag: "--api-base <url>",
    help: "API base (default https://api.weixin.qq.com; e.g. http://127.0.0.1:9000 for wxdev mock)",
  },
  /** The JS-SDK ticket `wxdev jsapi-sign` signs with (its --ticket flag is the command's own). */
  jsapiTicket: { type: "string", env: "WXDEV_JSAPI_TICKET", secret: true },
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

/** The contents of wxdev.config.json: the settings, and the deploy servers. */
export interface WxdevConfig extends Settings {
  servers?: Record<string, ServerConfig>;
}

type KeyType = "string" | "name" | "remoteDir" | "number" | "string[]" | "mode" | "servers" | "port";
type Schema = Record<string, { type: KeyType; required?: boolean }>;

const TOP_LEVEL: Schema = {
  $schema: { type: "string" },
  ...Object.fromEntries(SETTING_KEYS.map((key) => [key, { type: SETTINGS[key].type }])),
  servers: { type: "servers" },
};

const SERVER: Schema = {
  host: { type: "name", required: true },
  port: { type: "port" },
  username: { type: "name" },
  remoteDir: { type: "remoteDir", required: true },
  files: { type: "string[]" },
  ignore: { type: "string[]" },
  postDeploy: { type: "string" },
  appPort: { type: "port" },
  privateKey: { type: "string" },
  checkUrl: { type: "string" },
  keepReleases: { type: "number" },
  keepalive: { type: "number" },
  venv: { type: "name" },
  start: { type: "string" },
};

function typeOk(type: KeyType, value: unknown): boolean {
  switch (type) {
    case "string":
      return typeof value === "string";
    case "name":
      return typeof value === "string" && /^\S+$/.test(value);
    case "remoteDir":
      // A folder of its own: the home directory itself (or / or .) would become a release link.
      return typeof value === "string" && !/^(~|~\/+|\/+|\.\/*|)$/.test(value.trim()) && value.trim() === value;
    case "number":
      return typeof value === "number" && Number.isInteger(value) && value >= 0;
    case "port":
      return typeof value === "number" && Number.isInteger(value) && value > 0 && value < 65536;
    case "string[]":
      return Array.isArray(value) && value.every((item) => typeof item === "string");
    case "mode":
      return typeof value === "string" && (MODES as readonly string[]).includes(value);
    case "servers":
      return typeof value === "object" && value !== null && !Array.isArray(value);
  }
}

const TYPE_WORDS: Record<KeyType, string> = {
  string: "a string",
  name: "a non-empty string without spaces",
  remoteDir: 'a folder of its own, e.g. "~/tom" (not "~", "/" or ".")',
  number: "a whole number",
  port: "a port number (1-65535)",
  "string[]": "an array of strings",
  mode: `one of ${MODES.join(", ")}`,
  servers: "an object keyed by server name",
};

function checkObject(value: unknown, schema: Schema, path: string, file: string): void {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new ConfigError(`${file}: ${path || "the file"} must be a JSON object`, { key: path });
  }
  for (const [key, item] of Object.entries(value)) {
    const keyPath = path ? `${path}.${key}` : key;
    const rule = Object.hasOwn(schema, key) ? schema[key] : undefined;
    if (rule === undefined) {
      throw new ConfigError(`${file}: unknown key "${keyPath}"`, {
        key: keyPath,
        hint: `known keys: ${Object.keys(schema).join(", ")}`,
      });
    }
    if (!typeOk(rule.type, item)) {
      throw new ConfigError(`${file}: "${keyPath}" must be ${TYPE_WORDS[rule.type]}`, { key: keyPath });
    }
  }
  for (const [key, rule] of Object.entries(schema)) {
    if (rule.required && !Object.hasOwn(value, key)) {
      const keyPath = path ? `${path}.${key}` : key;
      throw new ConfigError(`${file}: "${keyPath}" is required`, { key: keyPath });
    }
  }
}

/** Validates parsed JSON as a wxdev config; the error names the bad key. */
export function validateConfig(value: unknown, file = CONFIG_FILE_NAME): WxdevConfig {
  checkObject(value, TOP_LEVEL, "", file);
  const config = value as WxdevConfig;
  for (const [name, server] of Object.entries(config.servers ?? {})) {
    checkObject(server, SERVER, `servers.${name}`, file);
  }
  return config;
}

/** The nearest wxdev.config.json in `cwd` or a parent, or undefined. */
export function findConfigFile(cwd: string): string | undefined {
  let dir = resolve(cwd);
  for (;;) {
    const candidate = join(dir, CONFIG_FILE_NAME);
    if (existsSync(candidate)) return candidate;
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Reads and validates a config file: `path` if given, else the nearest one; {} when there is none. */
export function loadConfig(options: { cwd: string; path?: string }): { path?: string; config: WxdevConfig } {
  const path = options.path === undefined ? findConfigFile(options.cwd) : resolve(options.cwd, options.path);
  if (path === undefined) return { config: {} };
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    throw new ConfigError(`cannot read config file ${path}: ${readProblem(cause)}`, {
      hint: "check the --config path",
      cause,
    });
  }
  // Windows editors (Notepad, some VS Code set-ups) save UTF-8 with a byte-order mark, which JSON.parse refuses.
  const json = text.replace(/^\uFEFF/, "");
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (cause) {
    // Nor is the cause kept: V8 quotes the text around the mistake, which may be part of the app secret.
    const { line, column, reason, after } = locateJsonError(json, cause as Error);
    throw new ConfigError(
      `${path} is not valid JSON: line ${line}, column ${column}: ${reason}${after ? ` (after "${after}")` : ""}`,
      { hint: "fix the JSON: keys and strings in double quotes, no comma after the last item" },
    );
  }
  return { path, config: validateConfig(value, path) };
}

/** Where a setting came from, for messages such as "token from WXDEV_TOKEN". */
export type SettingSource = "flag" | "env" | "file";

/** Merged settings, and where each one came from. */
export interface ResolvedSettings {
  settings: Settings;
  sources: Partial<Record<SettingKey, SettingSource>>;
}

/** Merges settings: flags over environment over file; undefined flags and empty variables do not count. */
export function resolveSettings(input: {
  config: WxdevConfig;
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

/** Shows enough of a secret to recognise it (its home is redact.ts; re-exported for the commands that mask). */
export { mask } from "./redact.js";
