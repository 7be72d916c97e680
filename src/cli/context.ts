import type { Command } from "commander";
import type { Readable, Writable } from "node:stream";
import { loadConfig, resolveSettings, type Settings, type SettingSource, type WxdevConfig } from "../core/config.js";
import { InputError } from "../core/errors.js";
import { ExitCode } from "./exit-code.js";
import { colorWanted, Output } from "./output.js";

/** The outside world a CLI run sees; tests and `main` pass the real one. */
export interface Io {
  stdout: Writable & { isTTY?: boolean; columns?: number };
  stderr: Writable & { isTTY?: boolean };
  stdin: Readable & { isTTY?: boolean };
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
  exitCode: ExitCode = ExitCode.Ok;
  private loaded?: { path?: string; config: WxdevConfig };

  constructor(readonly io: Io) {}

  globals(command: Command): GlobalOptions {
    return command.optsWithGlobals<GlobalOptions>();
  }

  output(command: Command): Output {
    const globals = this.globals(command);
    const color = colorWanted(globals.color !== false, this.io.env, this.io.stdout.isTTY === true);
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
    const values = [
      env.WXDEV_APP_SECRET,
      env.WXDEV_AES_KEY,
      env.WXDEV_TOKEN,
      env.WXDEV_SSH_PASSWORD,
      file.appSecret,
      file.aesKey,
      file.token,
    ];
    return values.filter((value): value is string => value !== undefined && value !== "");
  }

  /** Flags over environment over file. */
  settings(
    command: Command,
    flags: Partial<Settings> = {},
  ): { settings: Settings; sources: Partial<Record<keyof Settings, SettingSource>> } {
    return resolveSettings({ config: this.config(command).config, env: this.io.env, flags });
  }

  /** Reads a command's input argument: the text itself, or stdin for `-` (or when omitted and stdin is piped). */
  async input(value: string | undefined, what: string): Promise<string> {
    if (value !== undefined && value !== "-") return value;
    if (value === undefined && this.io.stdin.isTTY === true) {
      throw new InputError(`missing ${what}`, `pass it as an argument, or - to read it from stdin`);
    }
    const chunks: Buffer[] = [];
    for await (const chunk of this.io.stdin) chunks.push(Buffer.from(chunk as Buffer));
    const text = Buffer.concat(chunks).toString("utf8");
    if (text.trim() === "")
      throw new InputError(`${what} on stdin is empty`, "pipe the text in, e.g. wxdev … - < file");
    return text;
  }
}

/** Requires a setting, naming the flag, variable and config key that provide it. */
export function required<T>(value: T | undefined, flag: string, env: string | undefined, key: string): T {
  if (value === undefined || value === "") {
    const where = [flag, env, `"${key}" in wxdev.config.json`].filter(Boolean).join(", ");
    throw new InputError(`missing ${key}`, `set it with ${where}`);
  }
  return value;
}
