import { Command } from "commander";
import type { HandshakeResult } from "../../core/client/handshake.js";
import type { AppTarget, StartResult } from "../../core/remote/app/app.js";
import type { RemoteShell } from "../../core/remote/shell.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { ExitCode } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

/** What `wxdev start` did: the start, and the handshake through checkUrl when the server has one. */
export interface StartOutcome {
  start: StartResult;
  handshake?: HandshakeResult;
}

/**
 * Starts (or restarts) the managed app, then, with checkUrl and a Token, does the signed handshake through it,
 * retried for a few seconds (the app may still be loading its routes when its port opens).
 */
export async function runStart(
  shell: RemoteShell,
  target: AppTarget,
  options: { waitMs?: number; onStderr?: (chunk: Buffer) => void; token?: string; tokenFrom?: string },
): Promise<StartOutcome> {
  const { AppStartError, startApp } = await import("../../core/remote/app/app.js");
  const { recordVerdict } = await import("../../core/remote/releases/list.js");
  // The release's health, as the deploy's gate records it: --rollback goes by the last word on each.
  const verdict = (release: string, passed: boolean): Promise<unknown> =>
    release === "plain"
      ? Promise.resolve()
      : recordVerdict(shell, target.server.remoteDir, release, passed ? "passed" : "failed");
  let start: StartResult;
  try {
    start = await startApp(shell, target, options);
  } catch (error) {
    if (error instanceof AppStartError && error.reason !== "busy" && error.release !== undefined)
      await verdict(error.release, false);
    throw error;
  }
  const { checkUrl } = target.server;
  if (checkUrl === undefined || options.token === undefined) return { start };
  const { handshakeThrough } = await import("../../core/remote/app/health.js");
  const from = options.tokenFrom === undefined ? {} : { tokenFrom: options.tokenFrom };
  const handshake = await handshakeThrough(checkUrl, options.token, { forMs: 5_000, ...from });
  await verdict(start.release, handshake.ok);
  return { start, handshake };
}

/** "started s8013: pid 1234, release …, port 8013 listening, in 0.4 s", and the handshake's verdict. */
export function printStart(out: Output, name: string, port: number | undefined, outcome: StartOutcome): void {
  const { start: result, handshake } = outcome;
  if (out.json) {
    out.printJson({ ...result, handshake: handshake && { ok: handshake.ok, status: handshake.status } });
    return;
  }
  const stopped = result.stopped === undefined ? "" : out.c.dim(` (stopped pid ${result.stopped})`);
  const listening = port === undefined ? "running" : `port ${port} listening`;
  out.line(
    `${out.ok("✓")} started ${name}: pid ${result.pid}, release ${result.release}, ${listening},` +
      ` in ${result.seconds.toFixed(1)} s${result.warm ? " (warm start)" : ""}${stopped}`,
  );
  if (handshake === undefined) return;
  const where = handshake.url.split("?")[0];
  if (handshake.ok) out.line(`${out.ok("✓")} handshake through ${where} (${Math.round(handshake.latencyMs)} ms)`);
  else
    out.error(
      `the app runs, but the handshake through ${where} failed: ` +
        `${handshake.problems[0]?.message ?? `HTTP ${handshake.status}`}`,
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
        const { InputError } = await import("../../core/support/errors.js");
        throw new InputError(`--wait ${options.wait} is not a number of seconds`, { hint: "use e.g. --wait 10" });
      }
      await withApp(cli, self, out, server, options, async (shell, target) => {
        try {
          const onStderr = (chunk: Buffer): boolean => cli.io.stderr.write(chunk);
          const { settings, sources } = cli.settings(self);
          const { describeSource } = await import("../options.js");
          const tokenFrom = describeSource("token", sources.token, cli.config(self).path);
          const outcome = await runStart(shell, target, { waitMs, onStderr, token: settings.token, tokenFrom });
          if (outcome.handshake?.ok === false) cli.exitCode = ExitCode.CheckFailed;
          printStart(out, server, target.port, outcome);
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
