import type { Readable } from "node:stream";
import { CheckFailedError } from "../errors.js";

/**
 * What the deploy (and every remote command) needs of an SSH connection; `connect()` returns one backed by
 * node-ssh. `exec` rejects with ConnectionLostError when the connection drops.
 */
export interface RemoteShell {
  exec(
    command: string,
    options?: {
      stdin?: Readable | string;
      onStdout?: (chunk: Buffer) => void;
      onStderr?: (chunk: Buffer) => void;
      /**
       * Stop waiting this long after the command exited when its output stays open (a background child holding
       * it, `python app.py &`); the result then says `heldOpen`. Default: wait for the output to close.
       */
      graceAfterExitMs?: number;
    },
  ): Promise<{ code: number | null; signal?: string | null; stdout: string; stderr: string; heldOpen?: boolean }>;
}

/** The SSH connection dropped while a command ran; the message names the server ("connection to s8013 lost"). */
export class ConnectionLostError extends CheckFailedError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, {
      hint: "check the network and that sshd still runs, then deploy again",
      code: "CONNECTION_LOST",
      cause: options.cause,
    });
  }
}

/** Quotes a string for POSIX sh. */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}
