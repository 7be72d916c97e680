import { Command } from "commander";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { passThrough } from "../exit-code.js";
import { withExamples } from "../help.js";
import { runOnTerminal } from "../remote/lend-terminal.js";

/**
 * `wxdev ssh`: a shell on the server in the app's folder (remoteDir, the live release) inside its venv. On a
 * terminal an interactive bash on a pseudo-terminal; otherwise the commands read from stdin, as `ssh HOST < file`
 * runs them. Exits with the shell's status, as ssh does.
 */
export function sshCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("ssh")).action(
    async (server: string, options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      const { INTERACTIVE_SHELL, runChecked } = await import("../../core/remote/shell.js");
      const { appWhere } = await import("../../core/remote/app/scripts.js");
      const result = await withApp(cli, self, out, server, options, async (shell, target) => {
        // Lenient: before the first deploy or the venv, this shell is where they are made.
        const where = { ...appWhere(target.server), lenient: true };
        if (cli.io.stdin.isTTY === true) return runOnTerminal(cli, shell, INTERACTIVE_SHELL, where);
        try {
          return await runChecked(shell, ". /dev/stdin", {
            ...where,
            stdin: cli.io.stdin,
            onStdout: (chunk) => void cli.io.stdout.write(chunk),
            onStderr: (chunk) => void cli.io.stderr.write(chunk),
          });
        } finally {
          cli.io.stdin.pause();
        }
      });
      cli.exitCode = passThrough(result.code);
    },
  );
  return withExamples(command, [
    "wxdev ssh s8013                       # a shell in ~/wechat (the live release), the venv active",
    "wxdev ssh s8013 < migrate.sh          # the commands in a file, in the same place",
  ]);
}
