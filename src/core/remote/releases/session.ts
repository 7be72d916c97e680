import { keepaliveSeconds, type ServerConfig } from "../../config/file.js";
import type { RemoteLayout } from "../layout.js";
import { ConnectionLostError, type RemoteShell } from "../shell.js";
import type { SwitchBack } from "./gate.js";
import { listScript, parseListing } from "./list.js";
import { type DeployLock, takeLock } from "./lock.js";

/** Where a deploy stands, for an honest message when the connection drops. */
export interface Stage {
  during: string;
  /**
   * What is live: unchanged, unknown (a switch to `release` was under way, from `from` when that is known) or
   * `release`, as the server last said.
   */
  live: { state: "unchanged" } | { state: "switching"; release: string; from?: string } | SwitchedTo;
}

/** A release the server said is live. */
interface SwitchedTo {
  state: "switched";
  release: string;
}

/** What the lock takes from a deploy's or rollback's options. */
export interface LockOptions {
  holder?: string;
  lockWaitSeconds?: number;
  /** A dry run changes nothing and takes no lock. */
  dryRun?: boolean;
  server: ServerConfig;
  /** Opens a new connection, to ask the server what is live after a cut in the middle of a switch. */
  reconnect?: () => Promise<RemoteShell>;
}

function lostDuring(error: ConnectionLostError, stage: Stage, said?: string): ConnectionLostError {
  const { live } = stage;
  const state =
    said !== undefined
      ? `reconnected, the server says ${said === "" ? "no release" : `release ${said}`} is live`
      : live.state === "unchanged"
        ? "the live release is unchanged"
        : live.state === "switched"
          ? `release ${live.release} is live`
          : live.from === undefined
            ? `release ${live.release} may or may not have gone live (ls -l the remote directory to see)`
            : `either ${live.from} or ${live.release} is live: the switch was under way (wxdev releases shows which)`;
  return new ConnectionLostError(`${error.message} during ${stage.during}; ${state}`, { cause: error });
}

/**
 * What the server says is live (its release id, "" for none), over a new connection, when a cut came in the
 * middle of a switch; undefined when that cannot be known (no way to reconnect, or that failed too).
 */
async function askLive(stage: Stage, layout: RemoteLayout, reconnect?: () => Promise<RemoteShell>) {
  if (stage.live.state !== "switching" || reconnect === undefined) return undefined;
  try {
    const listed = await (await reconnect()).exec(listScript(layout));
    return listed.code === 0 ? (parseListing(listed.stdout).live ?? "") : undefined;
  } catch {
    return undefined;
  }
}

/** Takes the server's deploy lock in the name of `options.holder`, running `then` under it. */
export function takeDeployLock(
  shell: RemoteShell,
  layout: RemoteLayout,
  options: LockOptions,
  then: string,
): Promise<DeployLock> {
  const holder = `${options.holder ?? "wxdev"}, since ${new Date().toISOString()}`;
  return takeLock(shell, layout, holder, options.lockWaitSeconds ?? 5, then, keepaliveSeconds(options.server));
}

/**
 * Takes the server's deploy lock (not for a dry run, which changes nothing), runs `then` on the server under it,
 * runs `body` with what `then` printed, lets the lock go. A lost connection becomes one message saying what is live.
 */
export async function underLock<T>(
  shell: RemoteShell,
  layout: RemoteLayout,
  options: LockOptions,
  stage: Stage,
  body: (underLock?: string) => Promise<T>,
  then = "",
): Promise<T> {
  let lock: DeployLock | undefined;
  try {
    if (options.dryRun !== true) lock = await takeDeployLock(shell, layout, options, then);
    return await body(lock?.output);
  } catch (error) {
    if (!(error instanceof ConnectionLostError)) throw error;
    throw lostDuring(error, stage, await askLive(stage, layout, options.reconnect));
  } finally {
    await lock?.release();
  }
}

/** Keeps a deploy's or rollback's stage in step with the gate's switch back, for an honest message after a cut. */
export function switchingBack(stage: Stage): (back: SwitchBack) => void {
  return (back) => {
    stage.during =
      back.live === undefined ? `the switch back to ${back.to} (${back.from} did not come up)` : "starting the app";
    stage.live = back.live ?? { state: "switching", release: back.to, from: back.from };
  };
}

/** How long one step of a deploy took, in milliseconds. */
export interface StepTime {
  step: string;
  ms: number;
}

/** A stage that times its steps as `during` moves on: where a deploy's time went, in order. */
export function timedStage(during: string): Stage & { steps(): StepTime[] } {
  const steps: StepTime[] = [];
  let current = during;
  let since = performance.now();
  return {
    live: { state: "unchanged" },
    get during() {
      return current;
    },
    set during(next: string) {
      const now = performance.now();
      steps.push({ step: current, ms: now - since });
      current = next;
      since = now;
    },
    steps: () => [...steps, { step: current, ms: performance.now() - since }],
  };
}
