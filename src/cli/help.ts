import type { Command } from "commander";

/** Adds the "Examples:" section every command's --help ends with. */
export function withExamples(command: Command, examples: string[]): Command {
  return command.addHelpText("after", `\nExamples:\n${examples.map((example) => `  $ ${example}`).join("\n")}\n`);
}
