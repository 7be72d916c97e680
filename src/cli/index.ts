import { CommanderError } from "commander";
import { WxdevError } from "../core/support/errors.js";
import { MissingSettingError } from "../core/config/settings.js";
import { redactSecrets } from "../core/support/redact.js";
import { Cli, type Io } from "./context.js";
import { ExitCode } from "./exit-code.js";
import { InterruptedError } from "./on-stop.js";
import { hintFor } from "./options.js";
import { colorWanted, loadColor } from "./output.js";
import { createProgram } from "./program.js";
import { lazyOutput } from "./terminal/stdio.js";

export { ExitCode } from "./exit-code.js";

function defaultIo(): Io {
  return {
    // `wxdev … | head -1` closes the pipe early: that is the reader's choice, not a crash.
    stdout: lazyOutput(
      1,
      () => process.stdout,
      () => process.exit(0),
    ),
    // Nobody is left to tell that stderr's reader has gone.
    stderr: lazyOutput(
      2,
      () => process.stderr,
      () => {},
    ),
    // Opening stdin builds a stream (a pipe one loads node:net) that many runs never use: only on use.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
    cwd: process.cwd(),
  };
}

/** Runs the CLI on `argv` (without node and script) and returns the exit code. The one catch. */
export async function main(argv: string[], io: Io = defaultIo()): Promise<number> {
  const cli = new Cli(io);
  const verbose = argv.includes("--verbose") || argv.includes("-v");
  try {
    if (colorWanted(!argv.includes("--no-color"), io.env, () => io.stdout.isTTY === true)) await loadColor();
    await (await createProgram(cli, argv)).parseAsync(argv, { from: "user" });
    return cli.exitCode;
  } catch (error) {
    // A setting nobody gave may be in the config file that could not be read: that is the mistake to fix.
    const blamed = error instanceof MissingSettingError && cli.brokenConfig !== undefined ? cli.brokenConfig : error;
    return report(blamed, cli, verbose);
  }
}

function report(error: unknown, cli: Cli, verbose: boolean): number {
  // Every error line and stack passes here: none may show a secret, whatever library wrote it.
  const write = (text: string): void => void cli.io.stderr.write(`${redactSecrets(text, cli.knownSecrets())}\n`);
  if (error instanceof CommanderError) {
    // commander has already printed its own one-line message
    if (
      error.code === "commander.helpDisplayed" ||
      error.code === "commander.version" ||
      error.code === "commander.help"
    )
      return ExitCode.Ok;
    return error.exitCode === 0 ? ExitCode.Ok : ExitCode.BadInput;
  }
  if (error instanceof InterruptedError) {
    write(`wxdev: ${error.message}`);
    return ExitCode.Interrupted;
  }
  if (error instanceof WxdevError) {
    // The core names a setting or input by its key; here it becomes the flag (variable, config key) that sets it.
    const hint = hintFor(error, cli.running);
    write(`wxdev: ${error.message}${hint ? ` — ${hint}` : ""}`);
    if (verbose) writeDetails(error, write);
    return error.kind === "check" ? ExitCode.CheckFailed : ExitCode.BadInput;
  }
  const message = error instanceof Error ? error.message : String(error);
  write(`wxdev: unexpected error: ${message}${verbose ? "" : " (run with --verbose for details)"}`);
  if (verbose) writeDetails(error, write);
  // Not "a check failed": a script must be able to tell a bug in wxdev from a "no".
  return ExitCode.Internal;
}

/** --verbose: what each wrapped error said (`cause`, outermost first), then the stack of the error caught. */
function writeDetails(error: unknown, write: (text: string) => void): void {
  const seen = new Set<unknown>([error]);
  for (let cause = causeOf(error); cause !== undefined && !seen.has(cause); cause = causeOf(cause)) {
    seen.add(cause);
    write(`  caused by: ${describe(cause)}`);
  }
  if (error instanceof Error && error.stack) write(error.stack);
}

const causeOf = (error: unknown): unknown => (error instanceof Error ? error.cause : undefined);

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const { code } = error as { code?: unknown };
  const named = typeof code === "string" && !error.message.includes(code) ? ` (${code})` : "";
  return `${error.name}: ${error.message}${named}`;
}
