import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import type { ServerConfig } from "../config.js";
import { CheckFailedError, InputError } from "../errors.js";
import { hashFiles, listProject, type Manifest } from "./manifest.js";
import { isWithin, planDeploy, type DeployPlan } from "./plan.js";
import { tarStream } from "./tar-stream.js";
import { cleanupScript, deleteScript, inspectScript, postScript, remoteLayout, rollbackScript, switchScript, uploadScript, type RemoteLayout, type RemoteShell } from "./remote.js";

/** Progress of a deploy, for a bar or log lines. */
export type DeployEvent =
  | { type: "plan"; plan: DeployPlan }
  | { type: "upload"; files: number; totalFiles: number; bytes: number; totalBytes: number }
  | { type: "switched"; release: string }
  | { type: "output"; stream: "stdout" | "stderr"; chunk: Buffer };

export interface DeployOptions {
  /** The connection, or how to open it: opened only after the local files checked out. */
  shell: RemoteShell | (() => Promise<RemoteShell>);
  server: ServerConfig;
  /** The project root files are read from. */
  root: string;
  /** Deploy only these paths (gitignore-style), instead of `files`. */
  paths?: string[];
  delete?: boolean;
  dryRun?: boolean;
  /** Command after the switch; default `postDeploy`; null for none. */
  post?: string | null;
  onEvent?: (event: DeployEvent) => void;
  now?: Date;
}

export interface DeployResult {
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
  post?: PostResult;
}

/** A deploy step that failed on the server; the live directory is untouched. */
export class DeployError extends CheckFailedError {}

function releaseId(now: Date): string {
  // Sortable to the millisecond: rollback and pruning go by name order.
  return `${now.toISOString().replace(/[-:.]/g, "")}-1${randomBytes(3).toString("hex")}`;
}

/** Turns a remote failure into one line naming the likely cause. */
function remoteFailure(step: string, stderr: string): DeployError {
  const text = stderr.trim();
  if (/No space left on device/i.test(text)) return new DeployError(`${step} failed: the server's disk is full (the live directory is untouched)`, "free some space on the server (old logs, virtualenv caches), then deploy again");
  if (/Permission denied/i.test(text)) return new DeployError(`${step} failed: permission denied on the server (the live directory is untouched)`, `check who owns the remote directory: ${text.split("\n")[0]}`);
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return new DeployError(`${step} failed on the server: ${lines.slice(0, 3).join(" | ") || "no message"}`, "the live directory is untouched; fix the cause above and deploy again");
}

async function run(shell: RemoteShell, step: string, command: string, stdin?: Readable | string): Promise<string> {
  const result = await shell.exec(command, { stdin });
  if (result.code !== 0) throw remoteFailure(step, result.stderr);
  return result.stdout;
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

async function inspect(shell: RemoteShell, layout: RemoteLayout, readOnly: boolean): Promise<RemoteState> {
  const output = await run(shell, "reading the server's state", inspectScript(layout, readOnly));
  const [first = "", ...rest] = output.split("\n");
  const [kind, ...current] = first.split(" ");
  if (kind === "file") throw new InputError("remoteDir exists on the server but is a file", "point remoteDir at a directory (or a new path)");
  let manifest: Manifest | undefined;
  const json = rest.join("\n").trim();
  if (json !== "") {
    try {
      manifest = JSON.parse(json) as Manifest;
    } catch {
      manifest = undefined;
    }
  }
  return { kind: kind as RemoteState["kind"], current: current.join(" ") || undefined, manifest };
}

/**
 * Deploys incrementally and atomically: plans against the last deploy's manifest, uploads only
 * new or changed files into a fresh release, then switches the live link in one rename.
 */
export async function deploy(options: DeployOptions): Promise<DeployResult> {
  const started = performance.now();
  const { server } = options;
  const gitignored: string[] = [];
  const paths = await listProject({ root: options.root, files: options.paths ?? server.files, ignore: server.ignore, onGitignored: (path) => gitignored.push(path) });
  const shell = typeof options.shell === "function" ? await options.shell() : options.shell;
  const layout = remoteLayout(server.remoteDir);
  const state = await inspect(shell, layout, options.dryRun === true);
  const local = hashFiles(options.root, paths, state.manifest);
  // A deploy of some paths only compares (and records) those, never deleting the rest.
  const partial = options.paths !== undefined;
  const previous = partial && state.manifest ? Object.fromEntries(Object.entries(state.manifest).filter(([path]) => path in local)) : state.manifest;
  const plan = planDeploy(local, previous, { delete: options.delete === true && !partial, deployed: state.manifest });
  const recorded = partial ? mergedManifest(state.manifest, local, plan.replace) : local;
  options.onEvent?.({ type: "plan", plan });
  const result: DeployResult = { gitignored, uploaded: plan.upload.length, deleted: plan.delete.length, unchanged: plan.unchanged.length, kept: plan.kept.length, bytes: plan.bytes, seconds: 0, dryRun: options.dryRun === true, plan };
  if (options.dryRun) return { ...result, seconds: (performance.now() - started) / 1000 };

  const changed = plan.upload.length > 0 || plan.delete.length > 0 || plan.replace.length > 0 || state.kind !== "link";
  if (changed) {
    const release = releaseId(options.now ?? new Date());
    const from = state.kind === "link" ? `"$(readlink ${layout.live})"` : state.kind === "plain" ? layout.live : undefined;
    try {
      const progress = (files: number, bytes: number): void =>
        options.onEvent?.({ type: "upload", files, totalFiles: plan.upload.length, bytes, totalBytes: plan.bytes });
      const files = plan.upload.length > 0 ? tarStream(options.root, plan.upload, progress, local) : undefined;
      await run(shell, "uploading", uploadScript(layout, release, from, files !== undefined, plan.replace), files);
      if (plan.delete.length > 0) await run(shell, "deleting removed files", deleteScript(layout, release), plan.delete.map((path) => `${path}\0`).join(""));
      const adoptAs = state.kind === "plain" ? `${release.slice(0, release.lastIndexOf("-"))}-0` : undefined;
      await run(shell, "switching to the new release", switchScript(layout, release, adoptAs, Math.max(2, server.keepReleases ?? 3)), JSON.stringify(recorded));
    } catch (error) {
      await shell.exec(cleanupScript(layout, release)).catch(() => undefined);
      throw error;
    }
    result.release = release;
    options.onEvent?.({ type: "switched", release });
  }
  const post = options.post === undefined ? server.postDeploy : options.post;
  if (post) result.post = await runPost(shell, layout, post, options.onEvent);
  return { ...result, seconds: (performance.now() - started) / 1000 };
}

/** How the post-deploy command ended; `signal` when it was killed (code is then null). */
export interface PostResult {
  command: string;
  code: number | null;
  signal?: string;
  stderr: string;
}

async function runPost(shell: RemoteShell, layout: RemoteLayout, command: string, onEvent?: (event: DeployEvent) => void): Promise<PostResult> {
  const output = await shell.exec(postScript(layout, command), {
    onStdout: (chunk) => onEvent?.({ type: "output", stream: "stdout", chunk }),
    onStderr: (chunk) => onEvent?.({ type: "output", stream: "stderr", chunk }),
  });
  return { command, code: output.code, ...(output.signal ? { signal: output.signal } : {}), stderr: output.stderr };
}

/** Switches the live link back to the previous release, then runs the post-deploy command (the app restarts on the old files). */
export async function rollback(
  shell: RemoteShell,
  server: ServerConfig,
  options: { post?: string | null; onEvent?: (event: DeployEvent) => void } = {},
): Promise<{ from: string; to: string; post?: PostResult }> {
  const layout = remoteLayout(server.remoteDir);
  const result = await shell.exec(rollbackScript(layout));
  if (result.code === 3) throw new InputError(`cannot roll back: ${result.stderr.trim()}`, "roll back needs two wxdev deploys on this server");
  if (result.code !== 0) throw remoteFailure("rolling back", result.stderr);
  const [from = "", to = ""] = result.stdout.trim().split(" ");
  const post = options.post === undefined ? server.postDeploy : options.post;
  return { from, to, ...(post ? { post: await runPost(shell, layout, post, options.onEvent) } : {}) };
}
