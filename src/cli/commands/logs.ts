import { Command } from "commander";
import { InputError } from "../../core/support/errors.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { onStop } from "../on-stop.js";

interface LogsOptions extends ConnectFlags {
  lines: string;
  follow?: boolean;
  deploy?: boolean;
}

/** `wxdev logs`: the app's log on the server (each start marked "--- wxdev start … ---"); -f follows it. */
export function logsCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("logs"))
    .option("-n, --lines <n>", "how many of the last lines", "50")
    .option("-f, --follow", "keep printing new lines until Ctrl-C")
    .option("--deploy", "the deploy's own post-step log (deploy.log) instead of the app's")
    .action(async (server: string, options: LogsOptions, self: Command) => {
      const out = cli.output(self);
      const lines = Number(options.lines);
      if (!Number.isInteger(lines) || lines < 0)
        throw new InputError(`-n ${options.lines} is not a line count`, { hint: "use e.g. -n 100" });
      const file = options.deploy ? "deploy" : "app";
      const { followLog, readLog } = await import("../../core/remote/app/app.js");
      await withApp(cli, self, out, server, options, async (shell, target, connection) => {
        if (!options.follow) {
          const text = await readLog(shell, target.server, { lines, file, name: server });
          if (out.json) out.printJson({ server, file, lines: text.split("\n").slice(0, -1) });
          else cli.io.stdout.write(text);
          return;
        }
        // Ctrl-C ends the follow: close the connection (tail dies with it) and leave as a finished command.
        const stop = onStop({ terminate: false });
        stop.whenStopped(() => connection.close());
        try {
          await followLog(shell, target.server, { lines, file, onStdout: (chunk) => cli.io.stdout.write(chunk) });
        } catch (error) {
          if (!stop.signal.aborted) throw error;
        } finally {
          stop.dispose();
        }
      });
    });
  return withExamples(command, ["wxdev logs s8013", "wxdev logs s8013 -n 200", "wxdev logs s8013 -f"]);
}
