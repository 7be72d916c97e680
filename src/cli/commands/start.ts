import { Command } from "commander";
import type { AppTarget, StartResult } from "../../core/remote/app.js";
import type { RemoteShell } from "../../core/remote/shell.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../app-target.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

/** Starts (or restarts) the managed app; a start that fails shows this start's log tail and rethrows. */
export async function runStart(
  shell: RemoteShell,
  target: AppTarget,
  options: { waitMs?: number; onStderr?: (chunk: Buffer) => void },
): Promise<StartResult> {
  const { startApp } = await import("../../core/remote/app.js");
  return startApp(shell, target, options);
}

/** "started s8013: pid 1234, release …, port 8013 listening, in 0.4 s". */
export function printStart(out: Output, name: string, port: number | undefined, result: StartResult): void {
  if (out.json) {
    out.printJson(result);
    return;
  }
  const stopped = result.stopped === undefined ? "" : out.c.dim(` (stopped pid ${result.stopped})`);
  const listening = port === undefined ? "running" : `port ${port} listening`;
  out.line(
    `${out.ok("✓")} started ${name}: pid ${result.pid}, release ${result.release}, ${listening},` +
      ` in ${result.seconds.toFixed(1)} s${stopped}`,
  );
}

/** Prints a failed start's log tail (stderr), so the traceback is on screen, not just "502". */
export function printStartFailure(out: Output, error: unknown): void {
  const tail = (error as { logTail?: string[] }).logTail;
  if (tail === undefined || tail.length === 0 || out.json) return;
  out.note(out.c.dim("--- the app's log (this start) ---"));
  for (const line of tail) out.note(line);
  out.note(out.c.dim("---"));
}

/** `wxdev start` and `wxdev restart` (the same: stop what wxdev started, start the live release). */
export function startLikeCommand(cli: Cli, name: "start" | "restart"): Command {
  const command = withConnectFlags(new Command(name))
    .option("--wait <seconds>", "how long the app may take to open its port", "10")
    .action(async (server: string, options: ConnectFlags & { wait: string }, self: Command) => {
      const out = cli.output(self);
      const waitMs = Number(options.wait) * 1000;
      if (!Number.isFinite(waitMs) || waitMs <= 0) {
        const { InputError } = await import("../../core/errors.js");
        throw new InputError(`--wait ${options.wait} is not a number of seconds`, "use e.g. --wait 10");
      }
      await withApp(cli, self, out, server, options, async (shell, target) => {
        try {
          const onStderr = (chunk: Buffer): boolean => cli.io.stderr.write(chunk);
          printStart(out, server, target.port, await runStart(shell, target, { waitMs, onStderr }));
        } catch (error) {
          printStartFailure(out, error);
          throw error;
        }
      });
    });
  return withExamples(command, [`wxdev ${name} s8013`, `WXDEV_SSH_PASSWORD=… wxdev ${name} s8013 --yes`]);
}

/** `wxdev start`: starts the app with the server's "start" command, inside its venv, detached. */
export function startCommand(cli: Cli): Command {
  return startLikeCommand(cli, "start");
}
