// On its own, with no imports: bin/wxdev.cjs asks it which command's bundle to load before the CLI loads.

/** The command a run invokes: the first word that is not a global option (or `help <command>`'s). */
export function invokedCommand(argv: string[]): string | undefined {
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] ?? "";
    if (arg === "--config") i++;
    else if (arg === "help") return argv[i + 1];
    else if (!arg.startsWith("-")) return arg;
  }
  return undefined;
}
