import type { ServerConfig } from "../config/file.js";
import type { RemoteShell } from "../remote/shell.js";
import type { AppOptions, ReleaseEvent } from "../remote/releases/events.js";
import { publish, type Published } from "../remote/releases/publish.js";
import { type Stage, type StepTime, timedStage } from "../remote/releases/session.js";
import { type HeldRelease, type RemoteState, withReleaseState } from "../remote/releases/state.js";
import type { RemoteLayout } from "../remote/layout.js";
import { hashFiles, listProject, type Manifest } from "./manifest.js";
import { checkNamedPaths } from "./named-paths.js";
import { emptiedFolders, isWithin, planDeploy, type DeployPlan } from "./plan.js";
import { tarStream } from "./tar-stream.js";

export { DeployError } from "../remote/releases/steps.js";
export { HELD_OPEN_GRACE_MS, type PostResult, postFailed } from "../remote/releases/post.js";
export type { AppOptions } from "../remote/releases/events.js";

/** Progress of a deploy, for a bar or log lines: the plan, then the release's own steps. */
export type DeployEvent = { type: "plan"; plan: DeployPlan } | ReleaseEvent;

export interface DeployOptions {
  /** The connection, or how to open it: opened only after the local files checked out. */
  shell: RemoteShell | (() => Promise<RemoteShell>);
  /** Opens a new connection, to ask the server what is live after a cut in the middle of a switch. */
  reconnect?: () => Promise<RemoteShell>;
  server: ServerConfig;
  /** The project root files are read from. */
  root: string;
  /** Deploy only these paths (gitignore-style), instead of `files`. */
  paths?: string[];
  /** Files never uploaded (relative to root), e.g. the config file in use, whatever its name. */
  exclude?: string[];
  delete?: boolean;
  dryRun?: boolean;
  /** Command after the switch; default `postDeploy`; null for none. */
  post?: string | null;
  onEvent?: (event: DeployEvent) => void;
  now?: Date;
  /** Who deploys (e.g. "tom@laptop pid 4242"), written into the server's lock for a concurrent deploy to name. */
  holder?: string;
  /** How long to wait for another deploy's lock; default 5 s. */
  lockWaitSeconds?: number;
  /** The managed app (server.start): its port, the handshake through checkUrl, whether to start at all. */
  app?: AppOptions;
}

export interface DeployResult extends Published {
  uploaded: number;
  deleted: number;
  unchanged: number;
  kept: number;
  bytes: number;
  seconds: number;
  dryRun: boolean;
  /** Paths `files` (or the paths given) select that a .gitignore kept back: name them literally to deploy them. */
  gitignored: string[];
  plan: DeployPlan;
  /** The uploads that replace a file the server has (the rest of plan.upload are new there). */
  changed: string[];
  /**
   * A dry run's account of the server side: an existing plain directory it would adopt, the commands it
   * would run (in remoteDir).
   */
  wouldAdopt?: boolean;
  wouldRun?: string[];
  /** Where the time went: each step (connecting, the lock, upload, switch, starting the app…) in order. */
  steps?: StepTime[];
}

/** What a partial deploy records: the earlier manifest, less what the new files replaced, plus the new files. */
function mergedManifest(earlier: Manifest | undefined, local: Manifest, replaced: string[]): Manifest {
  const kept = Object.entries(earlier ?? {}).filter(([path]) => !isWithin(path, replaced));
  return { ...Object.fromEntries(kept), ...local };
}

/** The plan against what the server recorded, and the manifest the new release records. */
function planAgainst(state: RemoteState, local: Manifest, options: DeployOptions) {
  // A deploy of some paths only compares (and records) those, never deleting the rest.
  const partial = options.paths !== undefined;
  const previous =
    partial && state.manifest
      ? Object.fromEntries(Object.entries(state.manifest).filter(([path]) => path in local))
      : state.manifest;
  const plan = planDeploy(local, previous, { delete: options.delete === true && !partial, deployed: state.manifest });
  // Files left on the server (gone locally, no --delete) stay recorded, so a later --delete still knows them.
  const deployed = state.manifest ?? {};
  const left = Object.fromEntries(plan.kept.flatMap((path) => (deployed[path] ? [[path, deployed[path]]] : [])));
  const recorded = partial ? mergedManifest(state.manifest, local, plan.replace) : { ...left, ...local };
  return { plan, previous, recorded };
}

/** The paths to deploy (the server's "files", or the paths named), naming those .gitignore kept back. */
async function select(options: DeployOptions, gitignored: string[]): Promise<string[]> {
  if (options.paths !== undefined) checkNamedPaths(options.root, options.paths);
  return listProject({
    root: options.root,
    files: options.paths ?? options.server.files,
    ignore: options.server.ignore,
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    onGitignored: (path) => gitignored.push(path),
  });
}

/**
 * Deploys incrementally and atomically: under the server's deploy lock, plans against the last
 * deploy's manifest, uploads only new or changed files into a fresh release, checks them there,
 * then switches the live link in one rename and reads it back.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const gitignored: string[] = [];
  const paths = await select(options, gitignored);
  const stage = timedStage("connecting");
  const shell = typeof options.shell === "function" ? await options.shell() : options.shell;
  const onWarning = (message: string): void => options.onEvent?.({ type: "warning", message });
  const result = await withReleaseState(shell, { ...options, onWarning }, stage, (state, layout) =>
    deployAgainst(shell, { state, layout, stage, paths, gitignored }, options),
  );
  return { ...result, seconds: (performance.now() - started) / 1000, steps: stage.steps() };
}

/**
 * A deploy under the lock `held` already (deploy --watch holds it while it runs), against the state read under it:
 * no round trip for the lock or the state.
 */
export async function deployHeld(
  held: HeldRelease,
  options: DeployOptions & { shell: RemoteShell },
): Promise<DeployResult> {
  const started = performance.now();
  const gitignored: string[] = [];
  const paths = await select(options, gitignored);
  const stage = timedStage("planning");
  const { state, layout } = held;
  const result = await deployAgainst(options.shell, { state, layout, stage, paths, gitignored }, options);
  return { ...result, seconds: (performance.now() - started) / 1000, steps: stage.steps() };
}

/** Plans against the server's state, then (unless a dry run) publishes the new release. */
async function deployAgainst(
  shell: RemoteShell,
  at: { state: RemoteState; layout: RemoteLayout; stage: Stage; paths: string[]; gitignored: string[] },
  options: DeployOptions,
): Promise<DeployResult> {
  const { server, onEvent } = options;
  const { state, layout, stage, paths, gitignored } = at;
  const local = hashFiles(options.root, paths, state.manifest);
  const { plan, previous, recorded } = planAgainst(state, local, options);
  onEvent?.({ type: "plan", plan });
  const planned: DeployResult = {
    gitignored,
    uploaded: plan.upload.length,
    deleted: plan.delete.length,
    unchanged: plan.unchanged.length,
    kept: plan.kept.length,
    bytes: plan.bytes,
    seconds: 0,
    dryRun: options.dryRun === true,
    plan,
    changed: plan.upload.filter((path) => previous?.[path] !== undefined),
  };
  if (options.dryRun) {
    const post = options.post === undefined ? server.postDeploy : options.post;
    const start = server.start !== undefined && options.app?.start !== false ? [server.start] : [];
    return { ...planned, wouldAdopt: state.kind === "plain", wouldRun: [...(post ? [post] : []), ...start] };
  }
  const progress = (files: number, bytes: number): void =>
    onEvent?.({ type: "upload", files, totalFiles: plan.upload.length, bytes, totalBytes: plan.bytes });
  const files = plan.upload.length > 0 ? tarStream(options.root, plan.upload, progress, local) : undefined;
  const folders = emptiedFolders(plan.delete, Object.keys(recorded)).map((folder) => `${folder}/`);
  const changes = { upload: plan.upload, delete: [...plan.delete, ...folders], replace: plan.replace };
  const published = await publish(shell, {
    ...options,
    layout,
    state,
    stage,
    changes,
    local,
    recorded,
    ...(files === undefined ? {} : { files }),
  });
  return { ...planned, ...published };
}
