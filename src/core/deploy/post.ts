import type { ServerConfig } from "../config/file.js";
import { appPaths, LOG_LIMIT_BYTES } from "../remote/app-scripts.js";
import { remoteLayout } from "../remote/releases.js";
import { CommandNotRunError, q, type RemoteShell, type RunResult, run } from "../remote/shell.js";
import { guardScript } from "../remote/state-guard.js";

/** How the post-deploy command ended; `signal` when it was killed (code is then null). */
export interface PostResult {
  command: string;
  code: number | null;
  signal?: string;
  stderr: string;
  /** The command exited but something it left in the background kept its output open; wxdev stopped waiting. */
  heldOpen?: boolean;
  /** Commands bash could not find anywhere in it (then code is 127): a failure, whatever came after. */
  missing?: string[];
  /** Its shell ended before it (a ~/.bashrc that runs `exec sh`): it never ran to its end, whatever the code. */
  notRun?: true;
}

/** How long after the post-deploy command exits wxdev waits for its output to close (a background child's). */
export const HELD_OPEN_GRACE_MS = 2000;

/** Whether the post-deploy command failed (a non-zero exit, a missing command, output held open). */
export const postFailed = (post: PostResult | undefined): boolean =>
  post !== undefined &&
  (post.code !== 0 || post.heldOpen === true || post.notRun === true || (post.missing?.length ?? 0) > 0);

/** Where the post step's output is kept (beside app.log), marked with the release and time; capped like app.log. */
function deployLogScript(server: ServerConfig, header: string): string {
  return `${guardScript(remoteLayout(server.remoteDir), { create: true })}
state=${appPaths(server.remoteDir).dir}; log="$state/deploy.log"
if [ -f "$log" ] && [ "$(stat -c %s -- "$log")" -gt ${LOG_LIMIT_BYTES} ]; then mv -f -- "$log" "$log.1"; fi
printf '%s\\n' ${q(header)} >> "$log"
cat >> "$log"`;
}

/**
 * Runs the post-deploy command in the live directory inside the server's venv, in bash that has read ~/.bashrc
 * as an interactive shell (so `workon` works on a stock Debian account), streams its output, and appends it to
 * deploy.log; never throws for the command's own failure (the result says how it ended).
 */
export async function runPost(
  shell: RemoteShell,
  server: ServerConfig,
  command: string,
  options: { release: string; onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void },
): Promise<PostResult> {
  const seen: Buffer[] = [];
  const keep =
    (stream: "stdout" | "stderr") =>
    (chunk: Buffer): void => {
      seen.push(chunk);
      options.onOutput?.(stream, chunk);
    };
  const output: RunResult & { notRun?: true } = await run(shell, command, {
    cwd: appPaths(server.remoteDir).live,
    ...(server.venv === undefined ? {} : { venv: server.venv }),
    onStdout: keep("stdout"),
    onStderr: keep("stderr"),
    graceAfterExitMs: HELD_OPEN_GRACE_MS,
  }).catch((error: unknown) => {
    if (!(error instanceof CommandNotRunError)) throw error;
    return { code: error.status, stdout: "", stderr: "", missing: [], notRun: true };
  });
  const ended = output.notRun
    ? "never ran to its end"
    : output.signal
      ? `killed by ${output.signal}`
      : output.missing.length > 0
        ? `${output.missing.join(", ")}: command not found`
        : `exit ${output.code}${output.heldOpen ? ", output held open" : ""}`;
  const header = `--- wxdev post ${new Date().toISOString()} release ${options.release}: ${command} (${ended}) ---`;
  // The log is a record, not a step: a failure to write it must not turn a good deploy into a failed one.
  await shell
    .exec(`bash -c ${q(deployLogScript(server, header))}`, { stdin: Buffer.concat(seen).toString("utf8") })
    .catch(() => {});
  return {
    command,
    code: output.code,
    ...(output.signal ? { signal: output.signal } : {}),
    stderr: output.stderr,
    ...(output.heldOpen ? { heldOpen: true } : {}),
    ...(output.missing.length > 0 ? { missing: output.missing } : {}),
    ...(output.notRun ? { notRun: true as const } : {}),
  };
}
