import { InputError } from "./errors.js";

const REASONS: Record<string, string> = {
  ENOENT: "no such file",
  EACCES: "permission denied",
  EPERM: "permission denied",
  EISDIR: "is a directory",
  ENOTDIR: "a part of the path is not a directory",
  ELOOP: "too many symbolic links",
};

/** Why reading a file failed, in words with the system's code: "no such file (ENOENT)", "is a directory (EISDIR)". */
export function readProblem(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  if (code === undefined) return message ?? String(error);
  const reason = REASONS[code];
  return reason === undefined ? `${message} (${code})` : `${reason} (${code})`;
}

/** Reads a UTF-8 file; failing, an InputError says which file (`name`), why, and carries the fs error as `cause`. */
export async function readTextFile(path: string, options: { name?: string; hint?: string } = {}): Promise<string> {
  // Loaded here, not at import: config.ts needs readProblem on every start-up, never this.
  const { readFile } = await import("node:fs/promises");
  try {
    return await readFile(path, "utf8");
  } catch (cause) {
    throw new InputError(`cannot read ${options.name ?? path}: ${readProblem(cause)}`, { hint: options.hint, cause });
  }
}
