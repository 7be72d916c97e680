import { Command } from "commander";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

/** "stopped s8013 (pid 1234)" or "s8013 was not running". */
export function printStop(out: Output, name: string, outcome: { stopped?: number }): void {
  if (out.json) {
    out.printJson(outcome);
    return;
  }
  out.line(
    outcome.stopped === undefined
      ? `${name}: no app started by wxdev was running`
      : `${out.ok("✓")} stopped ${name} (pid ${outcome.stopped})`,
  );
}

/** `wxdev stop`: stops the app wxdev started (its pid file and process group, never a name pattern). */
export function stopCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("stop")).action(
    async (server: string, options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      const { stopApp } = await import("../../core/remote/app/app.js");
      printStop(out, server, await withApp(cli, self, out, server, options, (shell, t) => stopApp(shell, t.server, t)));
    },
  );
  return withExamples(command, ["wxdev stop s8013"]);
}
