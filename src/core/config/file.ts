import { existsSync, readFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { ConfigError } from "../support/errors.js";
import { MODES } from "../wire/modes.js";
import { SETTING_KEYS, SETTINGS, type Settings } from "./settings.js";
import { locateJsonError } from "../support/json-syntax.js";
import { readProblem } from "../support/read-file.js";

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
  /**
   * false: every start is a new Python. Default: a start of `python SCRIPT.py` leaves a warm spare (the script's
   * outside imports done) that the next start becomes, and that leaves after 15 minutes unused.
   */
  warmStart?: boolean;
}

/** The seconds between SSH keepalives for a server: its "keepalive", else 15 (ssh's common choice); 0: none. */
export const keepaliveSeconds = (server: ServerConfig): number => server.keepalive ?? 15;

/** The contents of wxdev.config.json: the settings, and the deploy servers. */
export interface WxdevConfig extends Settings {
  servers?: Record<string, ServerConfig>;
}

type KeyType = "boolean" | "string" | "name" | "remoteDir" | "number" | "string[]" | "mode" | "servers" | "port";
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
  warmStart: { type: "boolean" },
};

function typeOk(type: KeyType, value: unknown): boolean {
  switch (type) {
    case "boolean":
      return typeof value === "boolean";
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
  boolean: "true or false",
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
      hint: "check the path",
      input: "config",
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
