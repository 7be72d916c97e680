import type { Command } from "commander";
import type { Readable, Writable } from "node:stream";
import { loadConfig, type WxdevConfig } from "../core/config/file.js";
import {
  type DefaultedSettings,
  MissingSettingError,
  type ResolvedSettings,
  resolveSettings,
  SETTING_KEYS,
  SETTINGS,
  type SettingKey,
  type SettingSpec,
  type Settings,
  withDefaults,
} from "../core/config/settings.js";
import { ConfigError, InputError } from "../core/support/errors.js";
import { ExitCode, type PassedThrough } from "./exit-code.js";
import { colorWanted, Output } from "./output.js";

/** The outside world a CLI run sees; tests and `main` pass the real one. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number; rows?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean; setRawMode?: (raw: boolean) => unknown };
  env: Readonly<Record<string, string | undefined>>;
  cwd: string;
}

/** Options every command accepts (registered on the program). */
export interface GlobalOptions {
  json?: boolean;
  color?: boolean;
  config?: string;
  verbose?: boolean;
}

/** State of one CLI run shared by the commands: I/O, the exit code, config loaded once. */
export class Cli {
  /** Set from a command's outcome (see `ExitCode`), returned by `main` when nothing was thrown. */
  exitCode: ExitCode | PassedThrough = ExitCode.Ok;
  private loaded?: { path?: string; config: WxdevConfig };
  /** A found config file that could not be used: settings came without it, and a missing one is blamed on it. */
  brokenConfig?: ConfigError;
  /** Secrets typed at a prompt this run (a password, a key's passphrase), redacted from error output too. */
  readonly typedSecrets: string[] = [];
  /** The command whose action runs (set as it starts), for naming its flags in an error's hint. */
  running?: Command;

  constructor(readonly io: Io) {}

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  output(command: Command): Output {
    const globals = this.globals(command);
    const color = colorWanted(globals.color !== false, this.io.env, () => this.io.stdout.isTTY === true);
    return new Output(
      { json: globals.json === true, color, verbose: globals.verbose === true },
      this.io.stdout,
      this.io.stderr,
    );
  }

  /** The config file (found or named by --config), read once per run. */
  config(command: Command): { path?: string; config: WxdevConfig } {
    this.loaded ??= loadConfig({ cwd: this.io.cwd, path: this.globals(command).config });
    return this.loaded;
  }

  /** The secrets this run knows of (environment, and the config file if it was read), for redacting error output. */
  knownSecrets(): string[] {
    const { env } = this.io;
    const file = this.loaded?.config ?? {};
    const secrets = SETTING_KEYS.filter((key) => (SETTINGS[key] as SettingSpec).secret === true);
    const values = [
      ...secrets.map((key) => (SETTINGS[key] as SettingSpec).env).map((name) => name && env[name]),
      ...this.typedSecrets,
      ...secrets.map((key) => file[key]),
    ];
    return values.filter((value): value is string => typeof value === "string" && value !== "");
  }

  /** Flags over environment over file over the table's defaults, and where each setting came from. */
  settings(command: Command, flags: Partial<Settings> = {}): ResolvedSettings<DefaultedSettings> {
    return withDefaults(resolveSettings({ config: this.configForSettings(command), env: this.io.env, flags }));
  }

  /**
   * The file's settings. A broken file found by search does not block a command whose flags and
   * environment say enough (`sign --token …`): a warning, then none of its settings. One named with
   * --config was asked for, so it is an error.
   */
  private configForSettings(command: Command): WxdevConfig {
    try {
      return this.config(command).config;
    } catch (error) {
      if (!(error instanceof ConfigError) || this.globals(command).config !== undefined) throw error;
      if (this.brokenConfig === undefined)
        this.io.stderr.write(`wxdev: warning: ${error.message}; going on without the file\n`);
      this.brokenConfig = error;
      return {};
    }
  }

  /** Reads a command's input argument: the text itself, or stdin for `-` (or when omitted and stdin is piped). */
  async input(value: string | undefined, what: string): Promise<string> {
    if (value !== undefined && value !== "-") return value;
    if (value === undefined && this.io.stdin.isTTY === true) {
      throw new InputError(`missing ${what}`, { hint: `pass it as an argument, or - to read it from stdin` });
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "")
      throw new InputError(`${what} on stdin is empty`, { hint: "pipe the text in, e.g. wxdev … - < file" });
    return text;
  }
}

/** A setting the command cannot do without; missing, the error names its key (the one catch adds where to set it). */
export function required<K extends SettingKey>(settings: Settings, key: K): NonNullable<Settings[K]> {
  const value = settings[key];
  if (value === undefined || value === "") throw new MissingSettingError(key);
  return value as NonNullable<Settings[K]>;
}
