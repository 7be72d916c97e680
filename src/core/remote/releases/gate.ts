import type { ServerConfig } from "../../config/file.js";
import { CheckFailedError } from "../../support/errors.js";
import { appStatus, type PreparedStart, readLog, startApp, type StartResult } from "../app/app.js";
import { handshakeThrough } from "../app/health.js";
import { remoteLayout } from "../layout.js";
import { type GateVerdict, recordVerdict } from "./list.js";
import { rollbackScript } from "./switch.js";
import { ConnectionLostError, type RemoteShell } from "../shell.js";

/** The signed handshake through the public URL (checkUrl) that tells the app answers behind nginx. */
export interface AppCheck {
  url: string;
  token: string;
  /** Where the Token came from (WXDEV_TOKEN, a config file), for a message about a rejected signature. */
  tokenFrom?: string;
}

/** How the handshake after a start went. */
export interface CheckResult {
  ok: boolean;
  url: string;
  status: number;
  latencyMs: number;
  tries: number;
  problem?: string;
}

/** A release brought up: the start, and the handshake when there is a check. */
export interface UpResult {
  start: StartResult;
  check?: CheckResult;
  /** "post": the post-deploy command restarted the app (no "start"), and wxdev found it on its port. */
  by?: "post";
}

/** Why a release did not come up, and the last lines of its log. */
export interface DownResult {
  reason: string;
  logTail: string[];
  /** Partly up: the start (the process runs) when only the handshake failed. */
  start?: StartResult;
  check?: CheckResult;
}

/** What the health gate did after a deploy switched to a new release. */
export interface GateResult {
  /** The new release came up (then nothing else is set), or why not. */
  up?: UpResult;
  down?: DownResult;
  /** After a failure: the release switched back to and whether it answers again; absent when none was. */
  back?: { release: string } & ({ up: UpResult } | { down: DownResult });
  /** Why there was no switch back (--no-rollback, a first deploy, the switch back failed). */
  kept?: string;
}

/** What bringing a release up needs: the app's port, the check, how long the port may take. */
export interface UpOptions {
  port?: number;
  check?: AppCheck;
  waitMs?: number;
  onStderr?: (chunk: Buffer) => void;
  /** Told as soon as the release serves: its handshake passed (with a check), or its port opened (without). */
  onServing?: () => void;
  /** The start's shell, opened before the switch (prepareStart): the first start uses it. */
  prepared?: PreparedStart;
}

/** How long after opening its port the app must still run: one that exits a moment later serves nobody. */
export const SETTLE_MS = 1_000;

/**
 * Starts the live release (restarting what wxdev started), waits for its port, then does the handshake through
 * checkUrl with retries, then checks the app still runs (SETTLE_MS after its port opened, at the earliest); a
 * start, handshake or check that fails is a DownResult, not an error (a lost connection is).
 */
export async function bringUp(
  shell: RemoteShell,
  server: ServerConfig,
  options: UpOptions,
): Promise<{ up: UpResult } | { down: DownResult }> {
  let start: StartResult;
  try {
    start = await startApp(shell, { server, port: options.port }, options);
  } catch (error) {
    if (error instanceof ConnectionLostError || !(error instanceof CheckFailedError)) throw error;
    const tail = (error as { logTail?: string[] }).logTail;
    return { down: { reason: error.message, logTail: tail ?? (await lastLines(shell, server)) } };
  }
  const opened = Date.now();
  let check: CheckResult | undefined;
  if (options.check !== undefined) {
    check = await handshakeResult(options.check, 5_000);
    if (!check.ok) {
      // An app that is gone failed the handshake by being gone: that, not the proxy's 502, is what to fix.
      const failed = `the handshake through ${check.url} failed: ${check.problem}`;
      const gone = await exitedSince(shell, server, options.port, start.pid, opened, 0);
      const reason =
        gone === undefined ? failed : `the app (pid ${start.pid}) exited ${gone} s after opening its port (${failed})`;
      return { down: { reason, logTail: await lastLines(shell, server), start, check } };
    }
  }
  options.onServing?.();
  const gone = await exitedSince(shell, server, options.port, start.pid, opened, SETTLE_MS);
  if (gone !== undefined) {
    const after = check === undefined ? "" : " (after answering the handshake)";
    const reason = `the app (pid ${start.pid}) exited ${gone} s after opening its port${after}`;
    return { down: { reason, logTail: await lastLines(shell, server), start, ...(check ? { check } : {}) } };
  }
  return { up: { start, ...(check ? { check } : {}) } };
}

/** The signed handshake through checkUrl, retried for up to `forMs` while the app may still be loading. */
export async function handshakeResult(check: AppCheck, forMs: number): Promise<CheckResult> {
  const shake = await handshakeThrough(check.url, check.token, {
    forMs,
    ...(check.tokenFrom === undefined ? {} : { tokenFrom: check.tokenFrom }),
  });
  return {
    ok: shake.ok,
    url: shake.url.split("?")[0] ?? shake.url,
    status: shake.status,
    latencyMs: shake.latencyMs,
    tries: shake.tries,
    ...(shake.ok ? {} : { problem: shake.problems[0]?.message ?? `HTTP ${shake.status}` }),
  };
}

/** Undefined while the app that opened its port at `opened` still runs `settleMs` later; else the seconds since. */
async function exitedSince(
  shell: RemoteShell,
  server: ServerConfig,
  port: number | undefined,
  pid: number,
  opened: number,
  settleMs: number,
): Promise<string | undefined> {
  const wait = settleMs - (Date.now() - opened);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const status = await appStatus(shell, { server, port });
  if (status.running && status.pid === pid) return undefined;
  return `within ${((Date.now() - opened) / 1000).toFixed(1)}`;
}

/** The app log's last 20 lines (for a failed handshake: the process runs, its log says what it answered). */
async function lastLines(shell: RemoteShell, server: ServerConfig): Promise<string[]> {
  const text = await readLog(shell, server, { lines: 20 }).catch(() => "");
  return text.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
}

/** The gate's switch back, as it goes: `live` once the server said what is live (before that, either may be). */
export interface SwitchBack {
  from: string;
  to: string;
  live?: { state: "switched"; release: string };
}

/**
 * The health gate: brings the new release up; when it does not come up and `previous` (the release live before)
 * is known and rolling back is allowed, switches the live link back to it (recorded as a rollback) and brings
 * it up again. Runs under the deploy lock. `onSwitchBack` hears the switch back begin and what the server then
 * says is live, so a connection cut in between is reported honestly.
 */
export async function gate(
  shell: RemoteShell,
  server: ServerConfig,
  options: UpOptions & {
    release?: string;
    previous?: string;
    rollback: boolean;
    onSwitchBack?: (back: SwitchBack) => void;
    /** Told when a verdict could not be recorded in the history (the gate's result stands). */
    onWarning?: (message: string) => void;
  },
): Promise<GateResult> {
  const verdict = async (id: string | undefined, result: { up: UpResult } | { down: DownResult }) => {
    if (id === undefined) return;
    const passed: GateVerdict = "up" in result ? "passed" : "failed";
    const problem = await recordVerdict(shell, server.remoteDir, id, passed);
    if (problem !== undefined)
      options.onWarning?.(
        `the health gate's verdict on ${id} (${passed}) is not in the history: ${problem}` +
          (passed === "failed" ? "; --rollback may still pick it: name the release to go back to" : ""),
      );
  };
  const first = await bringUp(shell, server, options);
  // Nothing new deployed: the verdict is the live release's.
  await verdict(options.release ?? options.previous, first);
  if ("up" in first) return { up: first.up };
  const { down } = first;
  if (options.release === undefined) return { down, kept: "nothing new was deployed: the live release stays" };
  if (!options.rollback) return { down, kept: "--no-rollback: the failed release stays live" };
  if (options.previous === undefined)
    return { down, kept: "this was the first release: there is no earlier one to switch back to" };
  const switching = { from: options.release, to: options.previous };
  options.onSwitchBack?.(switching);
  const back = await shell.exec(rollbackScript(remoteLayout(server.remoteDir), options.release, options.previous));
  // The script prints the link only once the switch is done (and recorded): no line, no switch.
  if (!(back.stdout.split("\n")[0] ?? "").endsWith(`/${options.previous}`)) {
    options.onSwitchBack?.({ ...switching, live: { state: "switched", release: options.release } });
    return {
      down,
      kept: `switching back to ${options.previous} failed: ${back.stderr.trim().split("\n")[0] || "no message"}`,
    };
  }
  options.onSwitchBack?.({ ...switching, live: { state: "switched", release: options.previous } });
  const { prepared: _used, ...restart } = options;
  const again = await bringUp(shell, server, restart);
  await verdict(options.previous, again);
  return { down, back: { release: options.previous, ...again } };
}
