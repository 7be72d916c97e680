import { InputError } from "../../support/errors.js";
import { MANIFEST, manifestPath, type RemoteLayout, remoteLayout } from "../layout.js";
import type { RemoteShell } from "../shell.js";
import { guardScript } from "../state-guard.js";
import { type Manifest, parseManifest } from "./record.js";
import { type LockOptions, type Stage, takeDeployLock, underLock } from "./session.js";
import { run } from "./steps.js";

/** Reads the state: what the live path is (link/plain/none) and the current release's manifest. */
export function inspectScript(layout: RemoteLayout): string {
  return `set -e
live=${layout.live}
if [ -L "$live" ]; then cur=$(readlink "$live"); echo "link $cur"; cat "$cur/${MANIFEST}" 2>/dev/null || true
elif [ -d "$live" ]; then echo plain; cat "$live/${MANIFEST}" 2>/dev/null || true
elif [ -e "$live" ]; then echo file
else echo none; fi`;
}
/** What the live path is, the release it points at, and that release's manifest. */
export interface RemoteState {
  kind: "link" | "plain" | "none";
  current?: string;
  manifest?: Manifest;
}

/** The server's state from what inspectScript printed. */
export function readState(output: string, remoteDir: string, warn: (message: string) => void): RemoteState {
  const [first = "", ...rest] = output.split("\n");
  const [kind, ...current] = first.split(" ");
  if (kind === "file")
    throw new InputError("remoteDir exists on the server but is a file", {
      hint: "point remoteDir at a directory (or a new path)",
    });
  let manifest: Manifest | undefined;
  const json = rest.join("\n").trim();
  if (json !== "") {
    const parsed = parseManifest(json);
    if ("manifest" in parsed) manifest = parsed.manifest;
    // Deploying on is safe (everything goes up again), but not silently: --delete has nothing to go by.
    else
      warn(
        `the server's record of the last deploy (${manifestPath(remoteDir)}) is unusable` +
          ` (${parsed.problem}): every file is uploaded again, and --delete cannot tell what earlier deploys left`,
      );
  }
  return { kind: kind as RemoteState["kind"], current: current.join(" ") || undefined, manifest };
}

/**
 * Runs `body` with the server's state, read under the deploy lock in the lock's own session (a dry run, which
 * takes no lock, reads it alone); the lock is held until `body` is done.
 */
export async function withReleaseState<T>(
  shell: RemoteShell,
  options: LockOptions & { onWarning: (message: string) => void },
  stage: Stage,
  body: (state: RemoteState, layout: RemoteLayout) => Promise<T>,
): Promise<T> {
  const { server } = options;
  const layout = remoteLayout(server.remoteDir);
  stage.during = "taking the deploy lock";
  const read = async (output?: string): Promise<T> => {
    stage.during = "reading the server's state";
    const text =
      output ??
      (await run(
        shell,
        "reading the server's state",
        `${guardScript(layout, { create: false })}\n${inspectScript(layout)}`,
      ));
    return body(readState(text, server.remoteDir, options.onWarning), layout);
  };
  return underLock(shell, layout, options, stage, read, inspectScript(layout));
}

/** The release id a live link points at (its last path part), for a state read as a link. */
export function liveRelease(state: RemoteState): string | undefined {
  return state.kind === "link" ? state.current?.slice(state.current.lastIndexOf("/") + 1) : undefined;
}

/** The deploy lock held for a while (`deploy --watch` holds it while it runs), and the state as read under it. */
export interface HeldRelease {
  layout: RemoteLayout;
  state: RemoteState;
  /** Reads the state again (after a deploy, while no one else can change it). */
  refresh(): Promise<void>;
  release(): Promise<void>;
}

/** Takes the deploy lock and keeps it until `release`, reading the server's state under it. */
export async function holdReleaseLock(
  shell: RemoteShell,
  options: LockOptions & { onWarning: (message: string) => void },
): Promise<HeldRelease> {
  const { server } = options;
  const layout = remoteLayout(server.remoteDir);
  const lock = await takeDeployLock(shell, layout, options, inspectScript(layout));
  const inspect = `${guardScript(layout, { create: false })}\n${inspectScript(layout)}`;
  const held: HeldRelease = {
    layout,
    state: readState(lock.output, server.remoteDir, options.onWarning),
    refresh: async () => {
      const output = await run(shell, "reading the server's state", inspect);
      held.state = readState(output, server.remoteDir, options.onWarning);
    },
    release: () => lock.release(),
  };
  return held;
}
