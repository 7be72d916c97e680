import type { ChalkInstance } from "chalk";
import type { Writable } from "node:stream";
import { BatchedLines } from "./terminal/batched-lines.js";

/** chalk is loaded only when colour may be wanted (see `loadColor`), to keep start-up fast. */
let chalkModule: typeof import("chalk") | undefined;

/** Loads chalk ahead of a run that may print in colour. */
export async function loadColor(): Promise<void> {
  chalkModule ??= await import("chalk");
}

/** A stand-in for chalk when colour is off: any chain of styles returns the text unchanged. */
const plain: ChalkInstance = new Proxy(((text: unknown) => String(text)) as unknown as ChalkInstance, {
  get: (_target, property) => (property === "level" ? 0 : plain),
  apply: (_target, _this, args: unknown[]) => args.map(String).join(" "),
});

/** How a command should print: the --json, colour and verbosity rules in one place. */
export interface OutputOptions {
  json: boolean;
  color: boolean;
  verbose: boolean;
}

/** Decides whether colour is on: --no-color, NO_COLOR, TERM=dumb and non-TTY output turn it off. */
export function colorWanted(
  flag: boolean,
  env: Readonly<Record<string, string | undefined>>,
  isTTY: () => boolean,
): boolean {
  if (!flag) return false;
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== "") return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== "0") return true;
  return env.TERM !== "dumb" && isTTY();
}

/** The only place that writes to the terminal; every command prints through one of these. */
export class Output {
  readonly c: ChalkInstance;

  constructor(
    readonly options: OutputOptions,
    private readonly out: Writable,
    private readonly err: Writable,
  ) {
    this.c = options.color && chalkModule !== undefined ? new chalkModule.Chalk({ level: 1 }) : plain;
  }

  get json(): boolean {
    return this.options.json;
  }

  /** A line of the command's result on stdout. */
  line(text = ""): void {
    this.out.write(`${text}\n`);
  }

  /** Lines on stdout written in batches, for a log of many lines a second; `flush()` before exiting. */
  batchedLines(): BatchedLines {
    return new BatchedLines(this.out);
  }

  /** The command's result as exactly one JSON document on stdout. */
  printJson(value: unknown): void {
    this.out.write(`${JSON.stringify(value, roundTimes, 2)}\n`);
  }

  /** Aligned `label  value` rows. */
  table(rows: [string, string][]): void {
    const width = Math.max(...rows.map(([label]) => label.length));
    for (const [label, value] of rows) this.line(`${this.c.dim(label.padEnd(width))}  ${value}`);
  }

  /** A note on stderr, so stdout stays the result alone. */
  note(text: string): void {
    this.err.write(`${text}\n`);
  }

  warn(text: string): void {
    this.err.write(`${this.c.yellow("warning:")} ${text}\n`);
  }

  error(text: string): void {
    this.err.write(`${this.c.red("error:")} ${text}\n`);
  }

  ok(text: string): string {
    return this.c.green(text);
  }

  bad(text: string): string {
    return this.c.red(text);
  }
}

/**
 * Durations in JSON to a sensible precision (a float's noise, 1.2301370600000001, is no information): seconds to
 * the millisecond, milliseconds to a tenth.
 */
function roundTimes(key: string, value: unknown): unknown {
  if (typeof value !== "number" || Number.isInteger(value)) return value;
  if (key === "seconds" || key.endsWith("Seconds")) return Math.round(value * 1000) / 1000;
  if (key.endsWith("Ms")) return Math.round(value * 10) / 10;
  return value;
}
