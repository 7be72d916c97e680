import { randomBytes } from "node:crypto";
import { keepaliveSeconds, type ServerConfig } from "../config/file.js";
import { InputError } from "../support/errors.js";
import { takeLock, type DeployLock } from "./lock.js";
import { hashFiles, listProject, type Manifest } from "./manifest.js";
import { emptiedFolders, isWithin, planDeploy, type DeployPlan } from "./plan.js";
import { tarStream } from "./tar-stream.js";
import { ConnectionLostError, type RemoteShell } from "../remote/shell.js";
import { cleanupScript, deleteScript, inspectScript, remoteLayout, uploadScript, type RemoteLayout } from "./remote.js";
import { listScript, parseListing, pruneReleases, rollbackScript, switchScript } from "../remote/releases.js";
import { checkNamedPaths } from "./named-paths.js";
import { DeployError, remoteFailure, run } from "./steps.js";
import { type AppCheck, gate, type GateResult, type SwitchBack } from "./gate.js";
import { afterSwitch, type AppAfterSwitch } from "./after-switch.js";
import { serverTicks } from "./restarted.js";
import { type PostResult, postFailed, runPost } from "./post.js";
import { verifyUpload } from "./verify.js";
import { guardScript } from "../remote/state-guard.js";

export { DeployError } from "./steps.js";
export { HELD_OPEN_GRACE_MS, type PostResult, postFailed } from "./post.js";

/** Progress of a deploy, for a bar or log lines; "switching" comes just before the live link moves. */
export type DeployEvent =
  | { type: "plan"; plan: DeployPlan }
  | { type: "upload"; files: number; totalFiles: number; bytes: number; totalBytes: number }
  | { type: "switching"; release: string }
  | { type: "switched"; release: string }
  | { type: "output"; stream: "stdout" | "stderr"; chunk: Buffer }
  /** Something the deploy worked around but the user should know (e.g. an unusable manifest on the server). */
  | { type: "warning"; message: string };

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

/** How a deploy or rollback brings the managed app up after the switch. */
export interface AppOptions {
  port?: number;
  check?: AppCheck;
  /** false: deploy the files only, leave the app as it runs. */
  start?: boolean;
  /** false (--no-rollback): a release that does not come up stays live. */
  rollback?: boolean;
  waitMs?: number;
}

export interface DeployResult extends AppAfterSwitch {
  uploaded: number;
  deleted: number;
  unchanged: number;
  kept: number;
  bytes: number;
  seconds: number;
  dryRun: boolean;
  /** Paths `files` (or the paths given) select that a .gitignore kept back: name them literally to deploy them. */
  gitignored: string[];
  release?: string;
  plan: DeployPlan;
  /** The uploads that replace a file the server has (the rest of plan.upload are new there). */
  changed: string[];
  /**
   * A dry run's account of the server side: an existing plain directory it would adopt, the commands it
   * would run (in remoteDir).
   */
  wouldAdopt?: boolean;
  wouldRun?: string[];
  post?: PostResult;
  /** postDeploy, not run: nothing changed. */
  postSkipped?: string;
}

function releaseId(now: Date): string {
  // Sortable to the millisecond: rollback and pruning go by name order.
  return `${now.toISOString().replace(/[-:.]/g, "")}-1${randomBytes(3).toString("hex")}`;
}

/** What a partial deploy records: the earlier manifest, less what the new files replaced, plus the new files. */
function mergedManifest(earlier: Manifest | undefined, local: Manifest, replaced: string[]): Manifest {
  const kept = Object.entries(earlier ?? {}).filter(([path]) => !isWithin(path, replaced));
  return { ...Object.fromEntries(kept), ...local };
}

interface RemoteState {
  kind: "link" | "plain" | "none";
  current?: string;
  manifest?: Manifest;
}

/** The manifest the server holds, or why it cannot be used. */
function parseManifest(json: string): { manifest: Manifest } | { problem: string } {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (error) {
    return { problem: `not JSON: ${(error as Error).message}` };
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { problem: "not an object of files" };
  const wellFormed = (entry: unknown): boolean =>
    typeof entry === "object" && entry !== null && typeof (entry as { sha256?: unknown }).sha256 === "string";
  if (!Object.values(value).every(wellFormed)) return { problem: "an entry without a sha256" };
  return { manifest: value as Manifest };
}

/** The server's state from what inspectScript printed. */
function readState(output: string, remoteDir: string, warn: (message: string) => void): RemoteState {
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
        `the server's record of the last deploy (${remoteDir.replace(/\/+$/, "")}/.wxdev/manifest.json) is unusable` +
          ` (${parsed.problem}): every file is uploaded again, and --delete cannot tell what earlier deploys left`,
      );
  }
  return { kind: kind as RemoteState["kind"], current: current.join(" ") || undefined, manifest };
}

/** Where a deploy stands, for an honest message when the connection drops. */
interface Stage {
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

/** Takes the server's deploy lock (not for a dry run, which changes nothing), runs `body`, lets the lock go. */
async function locked<T>(
  shell: RemoteShell,
  layout: RemoteLayout,
  options: {
    holder?: string;
    lockWaitSeconds?: number;
    dryRun?: boolean;
    server: ServerConfig;
    reconnect?: () => Promise<RemoteShell>;
  },
  stage: Stage,
  body: (underLock?: string) => Promise<T>,
  then = "",
): Promise<T> {
  let lock: DeployLock | undefined;
  try {
    if (options.dryRun !== true)
      lock = await takeLock(
        shell,
        layout,
        `${options.holder ?? "wxdev"}, since ${new Date().toISOString()}`,
        options.lockWaitSeconds ?? 5,
        then,
        keepaliveSeconds(options.server),
      );
    return await body(lock?.output);
  } catch (error) {
    if (!(error instanceof ConnectionLostError)) throw error;
    throw lostDuring(error, stage, await askLive(stage, layout, options.reconnect));
  } finally {
    await lock?.release();
  }
}

/**
 * Deploys incrementally and atomically: under the server's deploy lock, plans against the last
 * deploy's manifest, uploads only new or changed files into a fresh release, checks them there,
 * then switches the live link in one rename and reads it back.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const { server } = options;
  const gitignored: string[] = [];
  if (options.paths !== undefined) checkNamedPaths(options.root, options.paths);
  const paths = await listProject({
    root: options.root,
    files: options.paths ?? server.files,
    ignore: server.ignore,
    ...(options.exclude === undefined ? {} : { exclude: options.exclude }),
    onGitignored: (path) => gitignored.push(path),
  });
  const stage: Stage = { during: "connecting", live: { state: "unchanged" } };
  const shell = typeof options.shell === "function" ? await options.shell() : options.shell;
  const layout = remoteLayout(server.remoteDir);
  stage.during = "taking the deploy lock";
  const warn = (message: string): void => options.onEvent?.({ type: "warning", message });
  // The state is read under the lock, in the lock's own session; a dry run (no lock) reads it alone.
  const read = async (underLock?: string): Promise<RemoteState> =>
    readState(
      underLock ??
        (await run(
          shell,
          "reading the server's state",
          `${guardScript(layout, { create: false })}\n${inspectScript(layout)}`,
        )),
      server.remoteDir,
      warn,
    );
  const body = async (underLock?: string): Promise<DeployResult> => {
    stage.during = "reading the server's state";
    const state = await read(underLock);
    const local = hashFiles(options.root, paths, state.manifest);
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
    options.onEvent?.({ type: "plan", plan });
    const result: DeployResult = {
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
    const post = options.post === undefined ? server.postDeploy : options.post;
    if (options.dryRun) {
      const start = server.start !== undefined && options.app?.start !== false ? [server.start] : [];
      return { ...result, wouldAdopt: state.kind === "plain", wouldRun: [...(post ? [post] : []), ...start] };
    }
    // The release live before this deploy: what the health gate switches back to.
    let before = state.kind === "link" ? state.current?.slice(state.current.lastIndexOf("/") + 1) : undefined;
    const changed =
      plan.upload.length > 0 || plan.delete.length > 0 || plan.replace.length > 0 || state.kind !== "link";
    if (changed) {
      result.release = releaseId(options.now ?? new Date());
      const adopted = await release(shell, layout, {
        ...options,
        release: result.release,
        plan,
        local,
        recorded,
        state,
        stage,
      });
      before ??= adopted;
      stage.live = { state: "switched", release: result.release };
      options.onEvent?.({ type: "switched", release: result.release });
    }
    const live = result.release ?? before ?? "plain";
    stage.during = "the post-deploy command";
    // Nothing changed: the post-deploy command has nothing new to act on, unless asked for this run (--exec).
    const runsPost = post && (result.release !== undefined || options.post !== undefined);
    if (post && !runsPost) result.postSkipped = post;
    const postMark = runsPost && server.start === undefined ? await serverTicks(shell) : undefined;
    if (runsPost)
      result.post = await runPost(shell, server, post, { release: live, onOutput: output(options.onEvent) });
    stage.during = "starting the app";
    Object.assign(
      result,
      await afterSwitch(shell, server, {
        ...appOptions(options),
        ...(result.release === undefined ? {} : { release: result.release }),
        ...(before === undefined ? {} : { previous: before }),
        ...(result.post === undefined ? {} : { post: result.post }),
        ...(postMark === undefined ? {} : { postMark }),
        ...(options.app?.start === undefined ? {} : { start: options.app.start }),
        rollback: options.app?.rollback !== false,
        onSwitchBack: switchingBack(stage),
        onWarning: warn,
      }),
    );
    if (result.release !== undefined) {
      stage.during = "removing old releases";
      const problem = await pruneReleases(shell, server.remoteDir, Math.max(2, server.keepReleases ?? 3));
      if (problem !== undefined) warn(`removing old releases failed: ${problem} (wxdev releases <server> lists them)`);
    }
    return result;
  };
  const result = await locked(shell, layout, options, stage, body, inspectScript(layout));
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/**
 * Builds the new release (upload, deletions, check) and makes it live; on failure removes it and leaves the live
 * link as it was.
 */
async function release(
  shell: RemoteShell,
  layout: RemoteLayout,
  context: {
    release: string;
    plan: DeployPlan;
    local: Manifest;
    recorded: Manifest;
    state: RemoteState;
    stage: Stage;
    server: ServerConfig;
    root: string;
    onEvent?: (event: DeployEvent) => void;
  },
): Promise<string | undefined> {
  const { release, plan, state, stage } = context;
  const from =
    state.kind === "link" ? `"$(readlink ${layout.live})"` : state.kind === "plain" ? layout.live : undefined;
  try {
    const progress = (files: number, bytes: number): void =>
      context.onEvent?.({ type: "upload", files, totalFiles: plan.upload.length, bytes, totalBytes: plan.bytes });
    const files = plan.upload.length > 0 ? tarStream(context.root, plan.upload, progress, context.local) : undefined;
    stage.during = "upload";
    await run(shell, "uploading", uploadScript(layout, release, from, files !== undefined, plan.replace), files);
    if (plan.delete.length > 0) {
      stage.during = "deleting removed files";
      const folders = emptiedFolders(plan.delete, Object.keys(context.recorded)).map((folder) => `${folder}/`);
      await run(
        shell,
        "deleting removed files",
        deleteScript(layout, release),
        [...plan.delete, ...folders].map((path) => `${path}\0`).join(""),
      );
    }
    stage.during = "the check of the upload";
    if (plan.upload.length > 0) await verifyUpload(shell, layout, release, plan.upload, context.local);
    const adoptAs = state.kind === "plain" ? `${release.slice(0, release.lastIndexOf("-"))}-0` : undefined;
    stage.during = "the switch";
    stage.live = { state: "switching", release };
    context.onEvent?.({ type: "switching", release });
    const switched = await shell.exec(switchScript(layout, release, adoptAs), {
      stdin: JSON.stringify(context.recorded),
    });
    const live = switched.stdout.split("\n")[0] ?? "";
    if (live.endsWith(`/${release}`)) {
      stage.live = { state: "switched", release };
      if (switched.code !== 0)
        throw new DeployError(
          `release ${release} is live, but recording it in the history failed: ${firstLine(switched.stderr)}`,
          { hint: "check the releases folder on the server (wxdev releases <server>) and its disk space" },
        );
      return adoptAs;
    }
    if (switched.code !== 0) throw remoteFailure("switching to the new release", switched.stderr);
    throw new DeployError(
      `the switch did not take: the live directory points at ${live || "nothing"}, not release ${release}`,
      { hint: "check the remote directory (ls -l), then deploy again" },
    );
  } catch (error) {
    // A lost connection cannot clean up; the next deploy clears the partial under its lock.
    if (stage.live.state !== "switched" && !(error instanceof ConnectionLostError)) {
      stage.live = { state: "unchanged" };
      await shell.exec(cleanupScript(layout, release)).catch(() => undefined);
    }
    throw error;
  }
}

/** Keeps a deploy's or rollback's stage in step with the gate's switch back, for an honest message after a cut. */
function switchingBack(stage: Stage): (back: SwitchBack) => void {
  return (back) => {
    stage.during =
      back.live === undefined ? `the switch back to ${back.to} (${back.from} did not come up)` : "starting the app";
    stage.live = back.live ?? { state: "switching", release: back.to, from: back.from };
  };
}

/** The first line of a script's stderr, for a message. */
const firstLine = (stderr: string): string => stderr.trim().split("\n")[0] || "no message";

/** Passes the post command's output on as "output" events. */
function output(onEvent?: (event: DeployEvent) => void): (stream: "stdout" | "stderr", chunk: Buffer) => void {
  return (stream, chunk) => onEvent?.({ type: "output", stream, chunk });
}

/** What bringUp and gate take from a deploy's options; the start's stderr is streamed as output. */
function appOptions(options: { app?: AppOptions; onEvent?: (event: DeployEvent) => void }) {
  const { port, check, waitMs } = options.app ?? {};
  return {
    ...(port === undefined ? {} : { port }),
    ...(check === undefined ? {} : { check }),
    ...(waitMs === undefined ? {} : { waitMs }),
    onStderr: (chunk: Buffer) => options.onEvent?.({ type: "output", stream: "stderr", chunk }),
  };
}

/**
 * What a rollback did: the switch, the post command, and the health gate (server.start): the release rolled back
 * to brought up, or, when it does not come up, the switch back to the one rolled back from.
 */
export interface RollbackResult {
  from: string;
  to: string;
  /** The release was named (--rollback ID) although it failed its health gate before. */
  failedBefore?: true;
  post?: PostResult;
  app?: GateResult;
  notStarted?: string;
}

/**
 * Switches the live link back to the release that was live before the current one (by the history), or to `to`,
 * under the deploy lock; reads it back, then runs the post-deploy command (the app restarts on the old files),
 * then, with server.start, restarts the managed app and checks that it answers.
 */
export async function rollback(
  shell: RemoteShell,
  server: ServerConfig,
  options: {
    /** A release id to return to, instead of the one live before. */
    to?: string;
    post?: string | null;
    onEvent?: (event: DeployEvent) => void;
    holder?: string;
    lockWaitSeconds?: number;
    app?: AppOptions;
    reconnect?: () => Promise<RemoteShell>;
  } = {},
): Promise<RollbackResult> {
  const layout = remoteLayout(server.remoteDir);
  const stage: Stage = { during: "the rollback", live: { state: "unchanged" } };
  const body = async (underLock?: string): Promise<RollbackResult> => {
    const listing = parseListing(underLock ?? "");
    const from = listing.live;
    if (from === undefined)
      throw new InputError("cannot roll back: no wxdev release is live", {
        hint: "deploy first (wxdev deploy <server>)",
      });
    const ids = listing.releases.map((release) => release.id);
    if (options.to !== undefined && !ids.includes(options.to))
      throw new InputError(`no release ${options.to} on the server`, { hint: `known releases: ${ids.join(", ")}` });
    if (options.to === from) throw new InputError(`release ${from} is already live`, { hint: "name another release" });
    const to = options.to ?? listing.rollbackTarget;
    const failed = listing.releases.filter((release) => release.gate === "failed").map((release) => release.id);
    if (to === undefined) {
      const passedOver = failed.length > 0 ? " that passed its health gate" : "";
      throw new InputError(`cannot roll back: no release${passedOver} was live before ${from} (or it is gone)`, {
        hint: `name one: wxdev deploy <server> --rollback ID (known: ${ids.join(", ")}; wxdev releases shows them)`,
      });
    }
    stage.live = { state: "switching", release: to, from };
    const result = await shell.exec(rollbackScript(layout, from, to));
    const live = result.stdout.split("\n")[0] ?? "";
    if (!live.endsWith(`/${to}`)) {
      if (result.code !== 0) throw remoteFailure("rolling back", result.stderr);
      throw new DeployError(`the rollback did not take: the live directory points at ${live || "nothing"}, not ${to}`, {
        hint: "check the remote directory (ls -l), then try again",
      });
    }
    stage.live = { state: "switched", release: to };
    if (result.code !== 0)
      throw new DeployError(`release ${to} is live, but recording the rollback failed: ${firstLine(result.stderr)}`, {
        hint: "check the releases folder on the server (wxdev releases <server>)",
      });
    const post = options.post === undefined ? server.postDeploy : options.post;
    stage.during = "the post-deploy command";
    const done: RollbackResult = { from, to, ...(failed.includes(to) ? { failedBefore: true as const } : {}) };
    if (post) done.post = await runPost(shell, server, post, { release: to, onOutput: output(options.onEvent) });
    if (server.start === undefined || options.app?.start === false) return done;
    if (postFailed(done.post)) return { ...done, notStarted: "the post-deploy command failed" };
    stage.during = "starting the app";
    // A release that does not come up is undone as a failed deploy is: back to `from`, started, checked.
    const app = await gate(shell, server, {
      ...appOptions(options),
      release: to,
      previous: from,
      rollback: true,
      onSwitchBack: switchingBack(stage),
      onWarning: (message) => options.onEvent?.({ type: "warning", message }),
    });
    return { ...done, app };
  };
  return locked(shell, layout, { ...options, server }, stage, body, listScript(layout));
}
