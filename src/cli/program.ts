import { Command } from "commander";
import { readFileSync } from "node:fs";
import type { Cli } from "./context.js";
import { EXIT_CODES_HELP } from "./exit-code.js";
import { invokedCommand } from "./invoked-command.js";
import { colorWanted } from "./output.js";
import { COMMANDS } from "./registry.js";

function version(): string {
  const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };
  return pkg.version;
}

/**
 * Builds a fresh program for one run (a factory, so tests can build their own). Only the
 * command that runs is loaded in full; the others are listed by name and summary, which
 * keeps start-up to the one command's code.
 */
export async function createProgram(cli: Cli, argv: string[]): Promise<Command> {
  const program = new Command("wxdev")
    .description(
      "Toolkit for WeChat Official Account server developers: sign, verify, encrypt, simulate, serve, deploy.",
    )
    .version(version(), "--version", "print the version")
    .option("--json", "print the result as one JSON object")
    .option("--no-color", "no colour (also NO_COLOR, or when output is not a terminal)")
    .option("--config <file>", "config file (default: nearest wxdev.config.json)")
    .option("-v, --verbose", "more detail, and stack traces on errors")
    .addHelpText("after", EXIT_CODES_HELP)
    .showHelpAfterError("(run with --help for usage)");
  const wanted = invokedCommand(argv);
  for (const entry of COMMANDS) {
    if (entry.name === wanted) program.addCommand((await entry.load())(cli).description(entry.summary));
    else program.command(entry.name).description(entry.summary);
  }
  configureAll(program, cli);
  program.hook("preAction", (_program, action) => {
    cli.running = action;
  });
  return program;
}

function configureAll(command: Command, cli: Cli): void {
  // Widths and colour from the run's own streams: commander's defaults would build process.stdout to ask.
  command.exitOverride().configureOutput({
    writeOut: (text) => cli.io.stdout.write(text),
    writeErr: (text) => cli.io.stderr.write(text),
    getOutHelpWidth: () => helpWidth(cli.io.stdout),
    getErrHelpWidth: () => helpWidth(cli.io.stderr),
    getOutHasColors: () => colorWanted(true, cli.io.env, () => cli.io.stdout.isTTY === true),
    getErrHasColors: () => colorWanted(true, cli.io.env, () => cli.io.stderr.isTTY === true),
  });
  for (const sub of command.commands) configureAll(sub, cli);
}

/** A terminal's width, else commander's own default of 80 columns. */
function helpWidth(stream: { isTTY?: boolean; columns?: number }): number {
  return (stream.isTTY ? stream.columns : undefined) ?? 80;
}
