import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { lstat, readdir, readFile, realpath, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { InputError } from "../errors.js";

/** One deployed file: what changes when its content or mode does. */
export interface ManifestEntry {
  size: number;
  /** Permission bits (e.g. 0o755 as 493). */
  mode: number;
  sha256: string;
}

/** Path (POSIX, relative to the project root) → entry. */
export type Manifest = Record<string, ManifestEntry>;

/** Never deployed: version control, dependencies, wxdev's own state and config (it may hold secrets). */
export const ALWAYS_IGNORED = [".git/", "node_modules/", ".wxdev/", "wxdev.config.json"];

export interface ScanOptions {
  root: string;
  /** gitignore-style patterns of what to deploy; default: everything not ignored. */
  files?: string[];
  /** Extra gitignore-style patterns to leave out. */
  ignore?: string[];
}

function readIgnoreFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch {
    return "";
  }
}

/** The root's .gitignore, .wxdevignore and configured patterns, as one matcher. */
function ignoreMatcher(options: ScanOptions): Ignore {
  return ignore()
    .add(ALWAYS_IGNORED)
    .add(readIgnoreFile(join(options.root, ".gitignore")))
    .add(readIgnoreFile(join(options.root, ".wxdevignore")))
    .add(options.ignore ?? []);
}

/** Lists the files to deploy, following symlinks; a broken or looping link is an error naming it. */
async function listFiles(options: ScanOptions): Promise<string[]> {
  const ignored = ignoreMatcher(options);
  const wanted = options.files === undefined ? undefined : ignore().add(options.files);
  const found: string[] = [];
  const visiting = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = await realpath(dir);
    if (visiting.has(real)) throw new InputError(`symlink loop at ${relative(options.root, dir) || "."}`, "remove the link or add it to .wxdevignore");
    visiting.add(real);
    for (const entry of await readdir(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = relative(options.root, path).split(sep).join("/");
      let info;
      try {
        info = await stat(path);
      } catch (error) {
        const code = (error as NodeJS.ErrnoException).code;
        if ((await lstat(path)).isSymbolicLink()) {
          throw new InputError(`${rel} is a ${code === "ELOOP" ? "looping" : "broken"} symlink`, "fix or remove it, or add it to .wxdevignore");
        }
        throw error;
      }
      if (info.isDirectory()) {
        if (!ignored.ignores(`${rel}/`)) await walk(path);
      } else if (info.isFile() && !ignored.ignores(rel) && (wanted === undefined || wanted.ignores(rel))) {
        found.push(rel);
      }
    }
    visiting.delete(real);
  };
  await walk(options.root);
  return found.sort();
}

/** Computes the local manifest: every file to deploy with its size, mode and sha256. */
export async function scanProject(options: ScanOptions): Promise<Manifest> {
  const manifest: Manifest = {};
  for (const path of await listFiles(options)) {
    const absolute = join(options.root, path);
    const [data, info] = await Promise.all([readFile(absolute), stat(absolute)]);
    manifest[path] = { size: data.length, mode: info.mode & 0o777, sha256: createHash("sha256").update(data).digest("hex") };
  }
  if (Object.keys(manifest).length === 0) {
    throw new InputError(`nothing to deploy in ${options.root}`, "check \"files\" and \"ignore\" in the server's config, and .gitignore/.wxdevignore");
  }
  return manifest;
}
