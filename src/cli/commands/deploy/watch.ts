import type { ServerConfig } from "../../../core/config/file.js";
import type { DeployOptions, DeployResult } from "../../../core/deploy/deploy.js";
import type { WatchEvent } from "../../../core/deploy/watch.js";
import type { DownResult } from "../../../core/remote/releases/gate.js";
import type { Connection } from "../../../core/remote/ssh/connection.js";
import { WxdevError } from "../../../core/support/errors.js";
import type { Cli } from "../../context.js";
import type { Output } from "../../output.js";
import { onStop } from "../../on-stop.js";

/** What `deploy --watch` needs from the command: the deploy's options and how to connect. */
export interface WatchRun {
  cli: Cli;
  out: Output;
  name: string;
  server: ServerConfig;
  deploy: Omit<DeployOptions, "shell" | "dryRun" | "paths" | "onEvent">;
  connect: () => Promise<Connection>;
}

/**
 * `wxdev deploy <server> --watch`: deploys, then one line per burst of saves, the app's log beneath, until Ctrl-C
 * (which leaves the last good release running and ends as a finished command).
 */
export async function runWatch(run: WatchRun): Promise<void> {
  const { watchDeploy } = await import("../../../core/deploy/watch.js");
  const { out, cli } = run;
  // The first Ctrl-C stops watching once a deploy under way is through its health gate; a second one kills.
  const stop = onStop();
  try {
    await watchDeploy({
      deploy: run.deploy,
      connect: run.connect,
      signal: stop.signal,
      onEvent: (event) => printWatchEvent(out, cli, run.name, event),
    });
  } finally {
    stop.dispose();
  }
  out.note(`stopped watching: the live release on ${run.name} stays as it is`);
}

const clock = (): string => new Date().toTimeString().slice(0, 8);

/** The files a save changed, for the line: "wechat.py", "wechat.py, app.py", "wechat.py and 3 more". */
function named(saved: string[], result?: DeployResult): string {
  const paths = saved.length > 0 ? saved : result === undefined ? [] : [...result.plan.upload, ...result.plan.delete];
  if (paths.length === 0) return "the project";
  return paths.length <= 2 ? paths.join(", ") : `${paths[0]} and ${paths.length - 1} more`;
}

function printWatchEvent(out: Output, cli: Cli, name: string, event: WatchEvent): void {
  switch (event.type) {
    case "deployed":
      printDeployed(out, event);
      return;
    case "failed": {
      const error = event.error;
      const message = error instanceof Error ? error.message : String(error);
      out.line(`${clock()} ${named(event.saved)} ${out.bad("✗")} ${message}`);
      if (error instanceof WxdevError && error.hint) out.line(`  ${out.c.dim(error.hint)}`);
      return;
    }
    case "watching":
      out.note(`watching ${event.files} file(s) for changes; each save deploys to ${name} (Ctrl-C stops)`);
      return;
    case "log":
      cli.io.stdout.write(event.chunk);
      return;
    case "deploy":
      if (event.event.type === "warning") out.warn(event.event.message);
      return;
    case "lost":
      out.warn(`${event.reason}: reconnecting`);
      return;
    case "retry":
      if (event.delayMs > 0)
        out.note(
          `reconnecting in ${(event.delayMs / 1000).toFixed(1)} s${event.lastError ? ` (${event.lastError})` : ""}`,
        );
      return;
    case "reconnected":
      out.note(`reconnected to ${name}`);
      return;
  }
}

function printDeployed(out: Output, event: Extract<WatchEvent, { type: "deployed" }>): void {
  const { result } = event;
  const what = named(event.saved, result);
  const seconds = (event.servingSeconds ?? result.seconds).toFixed(2);
  if (result.release === undefined) {
    out.line(`${clock()} ${what} → no change: nothing uploaded, the app left alone`);
    return;
  }
  const gate = result.app;
  if (gate?.down !== undefined) {
    printDown(out, what, gate.down);
    if (gate.back !== undefined)
      out.line(
        "up" in gate.back
          ? `  switched back to ${gate.back.release}, which answers again ${out.ok("✓")}`
          : `  switched back to ${gate.back.release}, which does not come up either: ${gate.back.down.reason}`,
      );
    else if (gate.kept) out.line(`  ${gate.kept}`);
    return;
  }
  if (result.notStarted) {
    out.line(`${clock()} ${what} ${out.bad("✗")} the app was not restarted: ${result.notStarted}`);
    return;
  }
  const check = gate?.up?.check ?? result.check;
  const tick = out.ok("✓");
  const verdict = check === undefined ? (gate?.up ? `${tick} up` : "(files only)") : `${tick} answers`;
  out.line(`${clock()} ${what} → live in ${seconds} s ${verdict} ${out.c.dim(`(release ${result.release})`)}`);
}

function printDown(out: Output, what: string, down: DownResult): void {
  out.line(`${clock()} ${what} ${out.bad("✗")} did not come up: ${down.reason}`);
  for (const line of down.logTail) out.line(`  ${out.c.dim("│")} ${line}`);
}
