import type { ServerConfig } from "../../config/file.js";
import { appStatus, type Serving } from "../app/app.js";
import { recordVerdict } from "./list.js";
import type { RemoteShell } from "../shell.js";
import { type CheckResult, gate, type GateResult, handshakeResult, type SwitchBack, type UpOptions } from "./gate.js";
import { type PostResult, postFailed } from "./post.js";
import { awaitRestart } from "./restarted.js";

/** What became of the app after a deploy's switch (and its post-deploy command). */
export interface AppAfterSwitch {
  /** The health gate (server.start), or the wait for an app the post-deploy command restarted by hand. */
  app?: GateResult;
  /** Why the app was not started although the server has "start" (the post-deploy command failed). */
  notStarted?: string;
  /** Nothing changed and the app wxdev started already runs the live release: it was not restarted. */
  appKept?: { pid: number; release: string };
  /** The handshake through checkUrl when no gate ran (--no-start --check, or nothing to wait for). */
  check?: CheckResult;
  /** What runs after a deploy that did not start the app: its release may be older than the live one. */
  serving?: Serving;
  /** No process of this account serves the app's port (nor the app wxdev started) after such a deploy. */
  notRunning?: true;
}

/** Where a deploy stands after its switch, and what it asks of the app. */
export interface AfterSwitchContext extends UpOptions {
  /** The release this deploy made live (undefined: nothing changed). */
  release?: string;
  /** The release live before it (the live one when nothing changed). */
  previous?: string;
  post?: PostResult;
  /** serverTicks() before the post-deploy command ran, to tell an app it restarted from an older one. */
  postMark?: number;
  /** false: --no-start (files only). */
  start?: boolean;
  rollback: boolean;
  onSwitchBack: (back: SwitchBack) => void;
  onWarning: (message: string) => void;
}

/**
 * After the switch: with "start", the health gate restarts the app, unless nothing changed and the app already
 * runs the live release; with a post-deploy command that restarts the app by hand (no "start") and a check, waits
 * for that new process and checks it; otherwise (files only) checks only when asked and says what runs.
 */
export async function afterSwitch(
  shell: RemoteShell,
  server: ServerConfig,
  context: AfterSwitchContext,
): Promise<AppAfterSwitch> {
  const live = context.release ?? context.previous;
  const target = { server, port: context.port };
  if (server.start !== undefined && context.start !== false) {
    if (postFailed(context.post)) return { notStarted: "the post-deploy command failed" };
    if (context.release === undefined) {
      const status = await appStatus(shell, target);
      const serving = status.serving;
      if (status.running && serving?.managed && serving.release === live && !serving.deleted && live !== undefined) {
        const check = context.check === undefined ? {} : { check: await handshakeResult(context.check, 5_000) };
        return { appKept: { pid: serving.pid, release: live }, ...check };
      }
    }
    return { app: await gate(shell, server, context) };
  }
  const restarted = context.post !== undefined && !postFailed(context.post) && context.release !== undefined;
  if (server.start === undefined && restarted && context.check && context.port && context.postMark !== undefined) {
    const result = await awaitRestart(shell, server, {
      port: context.port,
      since: context.postMark,
      check: context.check,
      ...(context.waitMs === undefined ? {} : { waitMs: context.waitMs }),
    });
    const problem = await recordVerdict(shell, server.remoteDir, live ?? "", "up" in result ? "passed" : "failed");
    if (problem !== undefined) context.onWarning(`the check's verdict on ${live} is not in the history: ${problem}`);
    if ("up" in result) return { app: { up: result.up } };
    const kept = `without "start" wxdev cannot restart the app itself, so release ${live} stays live`;
    return { app: { down: result.down, kept } };
  }
  const check = context.check === undefined ? {} : { check: await handshakeResult(context.check, 5_000) };
  const status = await appStatus(shell, target);
  if (status.serving !== undefined) return { ...check, serving: status.serving };
  return { ...check, ...(status.listening === true ? {} : { notRunning: true as const }) };
}
