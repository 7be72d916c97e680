import { Command } from "commander";
import { InputError } from "../../core/support/errors.js";
import type { RunResult } from "../../core/remote/shell.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { passThrough } from "../exit-code.js";
import { withExamples } from "../help.js";
import { onTerminal, runOnTerminal } from "../remote/lend-terminal.js";

/** How long a command may stay silent before exec says what it may be waiting for. */
const QUIET_MS = 10_000;

/**
 * `wxdev exec`: one command line in remoteDir inside the venv, stdin forwarded, output streamed, its exit code
 * passed through. With a terminal at both ends it runs on a pseudo-terminal (as `ssh -t`), so `python` and `bash`
 * are interactive.
 */
export function execCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("exec"))
    .argument("[command...]", "the command line, after -- (the words are joined into one line for bash)")
    .action(async (server: string, words: string[], options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      if (words.length === 0)
        throw new InputError("no command to run", {
          hint: `put it after --, e.g. wxdev exec ${server} -- 'python -V'`,
        });
      const line = words.join(" ");
      const { runChecked } = await import("../../core/remote/shell.js");
      const interactive = onTerminal(cli.io) && !out.json;
      const result: RunResult = await withApp(cli, self, out, server, options, async (shell, target) => {
        const where = (await import("../../core/remote/app/scripts.js")).appWhere(target.server);
        if (interactive) return runOnTerminal(cli, shell, line, where);
        // A command that starts something in the background without redirecting its output keeps the session
        // open; say so instead of hanging silently.
        let timer = setTimeout(() => quiet(), QUIET_MS);
        const quiet = (): void =>
          out.warn(
            `no output for ${QUIET_MS / 1000} s: still waiting for the command to finish. A job started with & keeps` +
              " the session open while any part of it holds the output (in `cd d && python app.py > log 2>&1 &`," +
              " the cd part does): redirect the whole job, `(cd d && python app.py) > log 2>&1 < /dev/null &`, or" +
              ` use "start" and wxdev start ${server}. Ctrl-C stops waiting; what was started keeps running.`,
          );
        const heard = (): void => {
          clearTimeout(timer);
          timer = setTimeout(quiet, QUIET_MS);
        };
        try {
          return await runChecked(shell, line, {
            ...where,
            stdin: cli.io.stdin,
            // Under --json stdout is one document: the output goes into it instead.
            onStdout: (chunk) => {
              heard();
              if (!out.json) cli.io.stdout.write(chunk);
            },
            onStderr: (chunk) => {
              heard();
              if (!out.json) cli.io.stderr.write(chunk);
            },
          });
        } finally {
          clearTimeout(timer);
          // A terminal's keys typed after the command ended are not its input: stop reading, so wxdev can exit.
          cli.io.stdin.pause();
        }
      });
      if (out.json)
        out.printJson({
          code: result.code,
          signal: result.signal ?? undefined,
          stdout: result.stdout,
          stderr: result.stderr,
        });
      cli.exitCode = passThrough(result.code);
    });
  return withExamples(command, [
    "wxdev exec s8013 -- python -V",
    "wxdev exec s8013 -- 'workon wechat && python manage.py migrate'",
    "echo 'print(1 + 1)' | wxdev exec s8013 -- python   # stdin goes to the command",
    "wxdev exec s8013 -- python                          # on a terminal: the interactive interpreter",
  ]);
}
