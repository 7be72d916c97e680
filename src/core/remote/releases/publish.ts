import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { ServerConfig } from "../../config/file.js";
import type { RemoteLayout } from "../layout.js";
import { type PreparedStart, prepareStart } from "../app/app.js";
import { ConnectionLostError, type RemoteShell, venvInWorkdir } from "../shell.js";
import { afterSwitch, type AppAfterSwitch } from "./after-switch.js";
import { cleanupScript, deleteScript, uploadScript } from "./build.js";
import { type AppOptions, appOptions, output, type ReleaseEvent } from "./events.js";
import { type PostResult, runPost } from "./post.js";
import { pruneReleases } from "./prune.js";
import type { Manifest } from "./record.js";
import { serverTicks } from "./restarted.js";
import { liveRelease, type RemoteState } from "./state.js";
import { type Stage, switchingBack } from "./session.js";
import { DeployError, firstLine, remoteFailure, run } from "./steps.js";
import { switchScript } from "./switch.js";
import { verifyUpload } from "./verify.js";

/** What a new release changes against the live one (a deploy plan says it). */
export interface ReleaseChanges {
  upload: string[];
  /** Paths to remove from the copy of the live files, and the folders that leaves empty (trailing slash). */
  delete: string[];
  /** Earlier files or folders in the way of an upload, removed first. */
  replace: string[];
}

/** What publish works with: the server's state as read under the lock, and what the release is made of. */
export interface PublishOptions {
  server: ServerConfig;
  layout: RemoteLayout;
  state: RemoteState;
  stage: Stage;
  changes: ReleaseChanges;
  /** The uploads' manifest entries, to check the upload against. */
  local: Manifest;
  /** The manifest the release records. */
  recorded: Manifest;
  /** The uploads as a tar stream (none when nothing goes up). */
  files?: Readable;
  now?: Date;
  /** Command after the switch; undefined: postDeploy; null for none. */
  post?: string | null;
  app?: AppOptions;
  onEvent?: (event: ReleaseEvent) => void;
}

/** What became of a deploy on the server. */
export interface Published extends AppAfterSwitch {
  /** The release made live (none: nothing changed). */
  release?: string;
  post?: PostResult;
  /** postDeploy, not run: nothing changed. */
  postSkipped?: string;
}

function releaseId(now: Date): string {
  // Sortable to the millisecond: rollback and pruning go by name order.
  return `${now.toISOString().replace(/[-:.]/g, "")}-1${randomBytes(3).toString("hex")}`;
}

/**
 * Makes a new release live when anything changed (build, check, switch), runs the post-deploy command, brings the
 * managed app up behind its health gate (switching back when it does not come up), then prunes old releases. A
 * deploy that changed nothing makes no release and leaves a running app alone.
 */
export async function publish(shell: RemoteShell, options: PublishOptions): Promise<Published> {
  const { server, state, stage, changes } = options;
  const done: Published = {};
  // The release live before this deploy: what the health gate switches back to.
  let before = liveRelease(state);
  const changed =
    changes.upload.length > 0 || changes.delete.length > 0 || changes.replace.length > 0 || state.kind !== "link";
  const post = (options.post === undefined ? server.postDeploy : options.post) ?? undefined;
  // Nothing changed: the post-deploy command has nothing new to act on, unless asked for this run (--exec).
  const runsPost = changed || options.post !== undefined;
  const prepared = changed && !post ? earlyStart(shell, options) : undefined;
  try {
    if (changed) {
      done.release = releaseId(options.now ?? new Date());
      const adopted = await buildAndSwitch(shell, { ...options, release: done.release });
      before ??= adopted;
      stage.live = { state: "switched", release: done.release };
      options.onEvent?.({ type: "switched", release: done.release });
    }
    return await afterBuild(shell, options, { done, before, post, runsPost, prepared });
  } finally {
    await prepared?.cancel();
  }
}

/**
 * The start's shell opened now, while the release is built, when the app will be started from a live directory that
 * exists now with a venv outside it (the shell reads both before the switch); see prepareStart.
 */
function earlyStart(shell: RemoteShell, options: PublishOptions): PreparedStart | undefined {
  const { server, state, app } = options;
  if (server.start === undefined || app?.start === false || state.kind === "none") return undefined;
  if (server.venv !== undefined && venvInWorkdir(server.venv)) return undefined;
  const { port, waitMs, onStderr } = appOptions(options);
  const target = { server, ...(port === undefined ? {} : { port }) };
  return prepareStart(shell, target, { onStderr, ...(waitMs === undefined ? {} : { waitMs }) });
}

/** After the switch (or none): the post-deploy command, the app behind its health gate, the old releases pruned. */
async function afterBuild(
  shell: RemoteShell,
  options: PublishOptions,
  at: { done: Published; before?: string; post?: string; runsPost: boolean; prepared?: PreparedStart },
): Promise<Published> {
  const { server, stage } = options;
  const { done, before, post, runsPost, prepared } = at;
  const warn = (message: string): void => options.onEvent?.({ type: "warning", message });
  const live = done.release ?? before ?? "plain";
  stage.during = "the post-deploy command";
  if (post && !runsPost) done.postSkipped = post;
  const postMark = post && runsPost && server.start === undefined ? await serverTicks(shell) : undefined;
  if (post && runsPost)
    done.post = await runPost(shell, server, post, { release: live, onOutput: output(options.onEvent) });
  stage.during = "starting the app";
  Object.assign(
    done,
    await afterSwitch(shell, server, {
      ...appOptions(options),
      ...(done.release === undefined ? {} : { release: done.release }),
      ...(before === undefined ? {} : { previous: before }),
      ...(done.post === undefined ? {} : { post: done.post }),
      ...(postMark === undefined ? {} : { postMark }),
      ...(options.app?.start === undefined ? {} : { start: options.app.start }),
      ...(prepared === undefined ? {} : { prepared }),
      rollback: options.app?.rollback !== false,
      onSwitchBack: switchingBack(stage),
      onWarning: warn,
    }),
  );
  if (done.release !== undefined) {
    stage.during = "removing old releases";
    const problem = await pruneReleases(shell, server.remoteDir, Math.max(2, server.keepReleases ?? 3));
    if (problem !== undefined) warn(`removing old releases failed: ${problem} (wxdev releases <server> lists them)`);
  }
  return done;
}

/**
 * Builds the new release (upload, deletions, check) and makes it live; on failure removes it and leaves the live
 * link as it was. Resolves with the id a plain live directory was adopted as.
 */
async function buildAndSwitch(shell: RemoteShell, context: PublishOptions & { release: string }) {
  const { release, changes, state, stage, layout } = context;
  const from =
    state.kind === "link" ? `"$(readlink ${layout.live})"` : state.kind === "plain" ? layout.live : undefined;
  try {
    stage.during = "upload";
    const tar = context.files !== undefined;
    await run(shell, "uploading", uploadScript(layout, release, from, tar, changes.replace), context.files);
    if (changes.delete.length > 0) {
      stage.during = "deleting removed files";
      await run(
        shell,
        "deleting removed files",
        deleteScript(layout, release),
        changes.delete.map((path) => `${path}\0`).join(""),
      );
    }
    stage.during = "the check of the upload";
    if (changes.upload.length > 0) await verifyUpload(shell, layout, release, changes.upload, context.local);
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
