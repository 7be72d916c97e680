import { existsSync, lstatSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import type { PlannedFile } from "../../../core/init/plan.js";
import { InputError } from "../../../core/support/errors.js";
import { readProblem } from "../../../core/support/read-file.js";

/** The paths (relative to `dir`) that already exist there, a folder or a dangling link included. */
export function existingFiles(dir: string, paths: readonly string[]): string[] {
  return paths.filter((path) => existsOrLink(join(dir, path)));
}

function existsOrLink(path: string): boolean {
  try {
    lstatSync(path);
    return true;
  } catch {
    return false;
  }
}

/** Refuses up front, before anything is written, when `dir` is not a folder or a target is one. */
function checkTargets(dir: string, files: PlannedFile[]): void {
  if (existsSync(dir) && !statSync(dir).isDirectory()) {
    throw new InputError(`${dir} is a file, not a folder`, { hint: "give wxdev init a folder (new or existing)" });
  }
  const folders = files.filter(
    (file) => existsSync(join(dir, file.path)) && statSync(join(dir, file.path)).isDirectory(),
  );
  if (folders.length > 0) {
    throw new InputError(`${folders.map((file) => file.path).join(", ")} in ${dir} is a folder: nothing was written`, {
      hint: "move it aside, then run wxdev init again",
    });
  }
}

/**
 * Writes the files into `dir` (made if missing), each whole: written beside its target, then renamed over it,
 * so an interrupted run never leaves half a file. The temporary file has an unpredictable name and is created
 * exclusively (O_EXCL: never through a link or over a file someone planted there); the rename replaces a link at
 * the target itself, never what it points to. Returns the paths written.
 */
export function writeProject(dir: string, files: PlannedFile[]): string[] {
  checkTargets(dir, files);
  mkdirSync(dir, { recursive: true });
  for (const file of files) {
    const target = join(dir, file.path);
    const temporary = `${target}.wxdev-${randomBytes(8).toString("hex")}.tmp`;
    try {
      writeFileSync(temporary, file.content, { mode: 0o644, flag: "wx" });
      renameSync(temporary, target);
    } catch (cause) {
      rmSync(temporary, { force: true });
      throw new InputError(`cannot write ${target}: ${readProblem(cause)}`, {
        hint: "check the folder's permissions",
        cause,
      });
    }
  }
  return files.map((file) => file.path);
}
