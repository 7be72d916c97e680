import type { Readable } from "node:stream";
import { CheckFailedError } from "../../support/errors.js";
import type { RemoteShell } from "../shell.js";

/** A deploy step that failed on the server. */
export class DeployError extends CheckFailedError {}

/**
 * Turns a remote failure into one line naming the likely cause; `untouched` says whether the live directory is
 * known to be as it was.
 */
export function remoteFailure(step: string, stderr: string, untouched = true): DeployError {
  const text = stderr.trim();
  const live = untouched
    ? "the live directory is untouched"
    : "the live directory may have changed: run wxdev deploy <server> --dry-run to see";
  if (/No space left on device/i.test(text))
    return new DeployError(`${step} failed: the server's disk is full (${live})`, {
      hint: "free some space on the server (old logs, virtualenv caches), then deploy again",
    });
  if (/Permission denied/i.test(text))
    return new DeployError(`${step} failed: permission denied on the server (${live})`, {
      hint: `check who owns the remote directory: ${text.split("\n")[0]}`,
    });
  const lines = text.split("\n").filter((line) => line.trim() !== "");
  return new DeployError(`${step} failed on the server: ${lines.slice(0, 3).join(" | ") || "no message"}`, {
    hint: `${live}; fix the cause above and deploy again`,
  });
}

/** Runs one remote step; any non-zero exit is the step's failure. */
export async function run(
  shell: RemoteShell,
  step: string,
  command: string,
  stdin?: Readable | string,
): Promise<string> {
  const result = await shell.exec(command, { stdin });
  if (result.code !== 0) throw remoteFailure(step, result.stderr);
  return result.stdout;
}

/** The first line of a script's stderr, for a message. */
export const firstLine = (stderr: string): string => stderr.trim().split("\n")[0] || "no message";
