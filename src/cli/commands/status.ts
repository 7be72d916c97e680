import { Command } from "commander";
import type { HandshakeResult } from "../../core/client/handshake.js";
import type { AppStatus, Serving } from "../../core/remote/app/app.js";
import { type ConnectFlags, withApp, withConnectFlags } from "../remote/app-target.js";
import type { Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

/** What `wxdev status` found: the app on the server and, with checkUrl and a Token, the handshake through it. */
export interface StatusOutcome {
  server: string;
  status: AppStatus;
  handshake?: HandshakeResult;
  /** Why the handshake was not tried (no checkUrl, no Token). */
  skipped?: string;
}

/** "1 h 2 min", "5 s". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)} min ${seconds % 60} s`;
  return `${Math.floor(seconds / 3600)} h ${Math.floor((seconds % 3600) / 60)} min`;
}

/** Whether what runs serves another release than the live one (then a restart is due). */
export function servesStale(status: AppStatus): boolean {
  return status.serving !== undefined && (status.serving.release !== status.release || status.serving.deleted === true);
}

/** "release X", and when that is not the live one, what to do. */
function servesRow(out: Output, server: string, status: AppStatus, serving: Serving): string {
  const gone = serving.deleted ? " (its folder was removed since)" : "";
  const what = `${serving.release === undefined ? serving.path : `release ${serving.release}`}${gone}`;
  if (!servesStale(status)) return what;
  const restart = serving.managed ? `wxdev restart ${server}` : 'restart it (or let wxdev run it: "start")';
  return `${what} ${out.bad(`← not the live release ${status.release ?? "(none)"}: ${restart}`)}`;
}

/** Prints the status as aligned rows (or one JSON document). */
export function printStatus(out: Output, outcome: StatusOutcome): void {
  const { status, handshake } = outcome;
  if (out.json) {
    out.printJson({
      ...outcome,
      handshake: handshake && { ok: handshake.ok, status: handshake.status, latencyMs: handshake.latencyMs },
    });
    return;
  }
  const byHand = !status.running && status.serving !== undefined;
  const app = status.running
    ? out.ok("running")
    : byHand
      ? `${out.ok("running")} (not started by wxdev: pid ${status.serving?.pid} holds the port)`
      : out.bad("not running");
  const rows: [string, string][] = [["app", app]];
  if (status.pid !== undefined) rows.push(["pid", String(status.pid)]);
  if (status.foreign !== undefined)
    rows.push([
      "pid file",
      out.bad(`names pid ${status.foreign.pid}, not the app wxdev started: ${status.foreign.reason}`),
    ]);
  if (status.uptimeSeconds !== undefined) rows.push(["uptime", duration(status.uptimeSeconds)]);
  if (status.port !== undefined)
    rows.push(["port", `${status.port} ${status.listening ? out.ok("listening") : out.bad("closed")}`]);
  const since = status.liveSince === undefined ? "" : ` (live since ${status.liveSince.toISOString()})`;
  rows.push(["release", `${status.release ?? "none deployed"}${since}`]);
  if (status.serving !== undefined) rows.push(["serves", servesRow(out, outcome.server, status, status.serving)]);
  if (handshake !== undefined)
    rows.push([
      "handshake",
      `${handshake.ok ? out.ok("pass") : out.bad("fail")} ${Math.round(handshake.latencyMs)} ms ` +
        `${handshake.url.split("?")[0]}` +
        (handshake.ok ? "" : ` (${handshake.problems[0]?.message ?? `HTTP ${handshake.status}`})`),
    ]);
  else if (outcome.skipped !== undefined) rows.push(["handshake", out.c.dim(`not checked: ${outcome.skipped}`)]);
  out.table(rows);
}

/**
 * `wxdev status`: is the app up, since when, which release is live and which one the app serves, does it answer;
 * exit 1 when it is down or serves another release than the live one.
 */
export function statusCommand(cli: Cli): Command {
  const command = withConnectFlags(new Command("status")).action(
    async (server: string, options: ConnectFlags, self: Command) => {
      const out = cli.output(self);
      const { appStatus } = await import("../../core/remote/app/app.js");
      const status = await withApp(cli, self, out, server, options, (shell, target) => appStatus(shell, target));
      const outcome: StatusOutcome = { server, status };
      const { server: config } = (await import("../remote/server-config.js")).serverFromConfig(cli, self, server);
      const token = cli.settings(self).settings.token;
      if (config.checkUrl === undefined) outcome.skipped = 'no "checkUrl" for this server';
      else if (token === undefined) outcome.skipped = "no Token (WXDEV_TOKEN)";
      else {
        const { handshakeThrough } = await import("../../core/remote/app/health.js");
        outcome.handshake = await handshakeThrough(config.checkUrl, token, { forMs: 0 });
      }
      const running = status.running || status.serving !== undefined;
      const up = running && status.listening !== false && outcome.handshake?.ok !== false && !servesStale(status);
      cli.exitCode = exitCodeFor(up);
      printStatus(out, outcome);
    },
  );
  return withExamples(command, ["wxdev status s8013", "wxdev status s8013 --json"]);
}
