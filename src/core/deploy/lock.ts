import { PassThrough } from "node:stream";
import type { RemoteShell } from "../remote/shell.js";
import { LOCK_BUSY, LOCKED, lockScript, type RemoteLayout } from "./remote.js";
import { DeployError, remoteFailure } from "./steps.js";

/** A held deploy lock; `release` lets it go (closing the session that holds it). */
export interface DeployLock {
  /** What the `then` script printed once the lock was held. */
  output: string;
  release(): Promise<void>;
}

/**
 * Takes the server's deploy lock, waiting up to `waitSeconds` for another deploy to finish;
 * held by an open SSH session, so a deploy that dies releases it. `holder` is written into the
 * lock file, for the next deploy's message. `then` runs on the server under the lock, in the same
 * session (one round trip fewer than an exec of its own); its output comes back in `output`.
 */
export async function takeLock(
  shell: RemoteShell,
  layout: RemoteLayout,
  holder: string,
  waitSeconds: number,
  then = "",
): Promise<DeployLock> {
  const stdin = new PassThrough();
  // Bytes, not text, until the end: a UTF-8 character of a path may be split between chunks.
  const stdout: Buffer[] = [];
  let held!: () => void;
  const locked = new Promise<void>((resolve) => (held = resolve));
  const session = shell.exec(lockScript(layout, holder, waitSeconds, then), {
    stdin,
    onStdout: (chunk) => {
      stdout.push(chunk);
      if (Buffer.concat(stdout.slice(-2)).toString("latin1").endsWith(LOCKED)) held();
    },
  });
  const ended = await Promise.race([locked.then(() => undefined), session]);
  if (ended !== undefined) {
    if (ended.code === LOCK_BUSY) {
      // The lock file is the server's text: one line, no control characters, on our terminal.
      // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are exactly what is removed
      const printable = ended.stderr.replace(/[\u0000-\u001f\u007f]+/g, " ").trim();
      const other = printable || "a holder that has not written its name yet";
      throw new DeployError(
        `another deploy to this server is under way (${other}); waited ${waitSeconds} s`,
        "wait for it to finish, then deploy again",
      );
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
      stdin.end();
      await done;
    },
  };
}
