import { PassThrough } from "node:stream";
import { LOCK, PARTIAL, type RemoteLayout } from "../layout.js";
import { q, type RemoteShell } from "../shell.js";
import { guardScript } from "../state-guard.js";
import { DeployError, remoteFailure } from "./steps.js";

/** Exit status of lockScript when another deploy held the lock for the whole wait. */
export const LOCK_BUSY = 4;

/** What lockScript prints once the lock is held (after its `then` output, which has no NUL). */
export const LOCKED = "\0locked\n";
const LOCKED_SENTINEL = "\\0locked\\n";

/**
 * Takes the deploy lock (flock on releases/.lock) and holds it while this SSH session lives, so a killed or
 * disconnected deploy releases it by itself: until stdin closes or, with `staleSeconds`, until no line has come
 * on stdin for that long (the holder sends one now and then: a connection that dropped silently, which sshd may
 * not notice for hours, lets go of the lock then). Checks the state folder first (guardScript). Prints "locked"
 * once held. Under the lock every *.partial is a dead deploy's, so they go; when the wait runs out, prints who
 * holds it (the holder writes that into the lock file) and exits LOCK_BUSY. `then` runs under the lock first,
 * its output before LOCKED (the state read, without an exec of its own). A bash script (read -t).
 */
export function lockScript(
  layout: RemoteLayout,
  holder: string,
  waitSeconds: number,
  then = "",
  staleSeconds?: number,
): string {
  const hold = staleSeconds === undefined ? "cat > /dev/null" : `while IFS= read -r -t ${staleSeconds} _; do :; done`;
  return `${guardScript(layout, { create: true })}
set -e
releases=${layout.releases}
[ -d "$releases" ] || mkdir -p -- "$releases"
lock="$releases/${LOCK}"
exec 9>>"$lock"
if ! flock -w ${waitSeconds} 9; then head -c 300 "$lock" >&2; exit ${LOCK_BUSY}; fi
printf '%s\n' ${q(holder)} > "$lock"
cd "$releases"
for p in *${PARTIAL}; do if [ -e "$p" ] || [ -L "$p" ]; then rm -rf -- "$p"; fi; done
${then === "" ? "" : `(\n${then}\n)\n`}printf '${LOCKED_SENTINEL}'
${hold}`;
}

/** A held deploy lock; `release` lets it go (closing the session that holds it). */
export interface DeployLock {
  /** What the `then` script printed once the lock was held. */
  output: string;
  release(): Promise<void>;
}

/**
 * Takes the server's deploy lock, waiting up to `waitSeconds` for another deploy to finish;
 * held by an open SSH session, so a deploy that dies releases it. With `heartbeatSeconds`, a line goes to the
 * server that often and the server lets go after four beats of silence: a connection that dropped without a word
 * (which sshd may not notice for hours) frees the lock as soon as the deploy itself gives up on it (after three
 * unanswered keepalives). `holder` is written into the lock file, for the next deploy's message. `then` runs on
 * the server under the lock, in the same session (one round trip fewer than an exec of its own); its output comes
 * back in `output`.
 */
export async function takeLock(
  shell: RemoteShell,
  layout: RemoteLayout,
  holder: string,
  waitSeconds: number,
  then = "",
  heartbeatSeconds = 0,
): Promise<DeployLock> {
  const stdin = new PassThrough();
  const beat = heartbeatSeconds > 0 ? setInterval(() => stdin.write("\n"), heartbeatSeconds * 1000) : undefined;
  beat?.unref();
  const stale = heartbeatSeconds > 0 ? heartbeatSeconds * 4 : undefined;
  // Bytes, not text, until the end: a UTF-8 character of a path may be split between chunks.
  const stdout: Buffer[] = [];
  let held!: () => void;
  const locked = new Promise<void>((resolve) => (held = resolve));
  const session = shell.exec(`bash -c ${q(lockScript(layout, holder, waitSeconds, then, stale))}`, {
    stdin,
    onStdout: (chunk) => {
      stdout.push(chunk);
      if (Buffer.concat(stdout.slice(-2)).toString("latin1").endsWith(LOCKED)) held();
    },
  });
  const ended = await Promise.race([locked.then(() => undefined), session]).catch((error: unknown) => {
    clearInterval(beat);
    throw error;
  });
  if (ended !== undefined) {
    clearInterval(beat);
    if (ended.code === LOCK_BUSY) {
      // The lock file is the server's text: one line, no control characters, on our terminal.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
      const printable = ended.stderr.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
      const other = printable || "a holder that has not written its name yet";
      throw new DeployError(`another deploy to this server is under way (${other}); waited ${waitSeconds} s`, {
        hint: "wait for it to finish, then deploy again",
      });
    }
    throw remoteFailure("taking the deploy lock", ended.stderr);
  }
  const done = session.then(
    () => undefined,
    () => undefined,
  );
  return {
    output: Buffer.concat(stdout).toString("utf8").slice(0, -LOCKED.length),
    release: async () => {
      clearInterval(beat);
      stdin.end();
      await done;
    },
  };
}
