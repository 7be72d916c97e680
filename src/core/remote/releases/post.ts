import type { ServerConfig } from "../../config/file.js";
import { appPaths, appWhere, LOG_LIMIT_BYTES } from "../app/scripts.js";
import { DEPLOY_LOG, remoteLayout } from "../layout.js";
import { CommandNotRunError, q, type RemoteShell, type RunResult, run } from "../shell.js";
import { guardScript } from "../state-guard.js";

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

/** The deploy's own log of its post steps, beside app.log. */
const deployLog = (server: ServerConfig): string => `${appPaths(server.remoteDir).dir}/${DEPLOY_LOG}`;

/**
 * Appends `line` to deploy.log (checking the state folder first); `rotate`: moves a log over the cap to
 * deploy.log.1 first, as a start does app.log.
 */
function deployLogScript(server: ServerConfig, line: string, rotate = false): string {
  const over = `[ -f "$log" ] && [ "$(stat -c %s -- "$log")" -gt ${LOG_LIMIT_BYTES} ]`;
  const rotation = `if ${over}; then mv -f -- "$log" "$log.1"; fi`;
  return `${guardScript(remoteLayout(server.remoteDir), { create: true })}
log=${deployLog(server)}
${rotate ? rotation : ""}
printf '%s\\n' ${q(line)} >> "$log"`;
}

/**
 * Runs the post-deploy command in the live directory inside the server's venv, in bash that has read ~/.bashrc
 * as an interactive shell (so `workon` works on a stock Debian account), and streams its output. deploy.log on the
 * server gets a line naming it, then its output as it comes (so one cut short is there up to where it was), then
 * how it ended. Never throws for the command's own failure (the result says how it ended).
 */
export async function runPost(
  shell: RemoteShell,
  server: ServerConfig,
  command: string,
  options: { release: string; onOutput?: (stream: "stdout" | "stderr", chunk: Buffer) => void },
): Promise<PostResult> {
  // The log is a record, not a step: a failure to write it must not turn a good deploy into a failed one.
  const note = (line: string, rotate = false): Promise<unknown> =>
    shell.exec(`bash -c ${q(deployLogScript(server, line, rotate))}`).catch(() => undefined);
  await note(`--- wxdev post ${new Date().toISOString()} release ${options.release}: ${command} ---`, true);
  const output: RunResult & { notRun?: true } = await run(shell, command, {
    ...appWhere(server),
    logTo: deployLog(server),
    onStdout: (chunk) => options.onOutput?.("stdout", chunk),
    onStderr: (chunk) => options.onOutput?.("stderr", chunk),
    graceAfterExitMs: HELD_OPEN_GRACE_MS,
  }).catch((error: unknown) => {
    if (!(error instanceof CommandNotRunError)) throw error;
    return { code: error.status, stdout: "", stderr: "", missing: [], notRun: true };
  });
  // What only this side saw; the server wrote how the command itself ended.
  if (output.notRun) await note("--- ended: never ran to its end (its shell ended first: see ~/.bashrc) ---");
  if (output.heldOpen)
    await note(`--- its output stayed open (a process it left in the background): wxdev stopped waiting ---`);
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
