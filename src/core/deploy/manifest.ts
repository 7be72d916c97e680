import { createHash } from "node:crypto";
import { fstatSync, openSync, closeSync, readdirSync, readFileSync, realpathSync, statSync } from "node:fs";
import { join, relative, sep } from "node:path";
import ignore, { type Ignore } from "ignore";
import { InputError } from "../errors.js";

/** One deployed file: what changes when its content or mode does. */
export interface ManifestEntry {
  size: number;
  /** Permission bits (e.g. 0o755 as 493). */
  mode: number;
  sha256: string;
  /** Modification time: with the size, lets an unchanged file skip re-hashing (rsync's quick check). */
  mtimeMs?: number;
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

/** What a symlink points at; a broken or looping one is an error naming it. */
async function followLink(path: string, rel: string): Promise<"dir" | "file" | "other"> {
  try {
    const info = statSync(path);
    return info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new InputError(`${rel} is a ${code === "ELOOP" ? "looping" : "broken"} symlink`, "fix or remove it, or add it to .wxdevignore");
  }
}

/** Lists the files to deploy, following symlinks; a broken or looping link is an error naming it. */
async function listFiles(options: ScanOptions): Promise<string[]> {
  const ignored = ignoreMatcher(options);
  const wanted = options.files === undefined ? undefined : ignore().add(options.files);
  const found: string[] = [];
  const visiting = new Set<string>();
  const walk = async (dir: string): Promise<void> => {
    const real = realpathSync(dir);
    if (visiting.has(real)) throw new InputError(`symlink loop at ${relative(options.root, dir) || "."}`, "remove the link or add it to .wxdevignore");
    visiting.add(real);
    const entries = readdirSync(dir, { withFileTypes: true });
    const subdirs: string[] = [];
    for (const entry of entries) {
      const path = join(dir, entry.name);
      const rel = relative(options.root, path).split(sep).join("/");
      // Plain files and directories need no stat; symlinks are followed (and checked).
      const kind = entry.isSymbolicLink() ? await followLink(path, rel) : entry.isDirectory() ? "dir" : entry.isFile() ? "file" : "other";
      if (kind === "dir") {
        if (!ignored.ignores(`${rel}/`)) subdirs.push(path);
      } else if (kind === "file" && !ignored.ignores(rel) && (wanted === undefined || wanted.ignores(rel))) {
        found.push(rel);
      }
    }
    for (const sub of subdirs) await walk(sub);
    visiting.delete(real);
  };
  await walk(options.root);
  return found.sort();
}

/** Hashes one file: size, permission bits, sha256 (synchronous: for thousands of small files that beats the thread pool). */
function entryOf(absolute: string): ManifestEntry {
  const fd = openSync(absolute, "r");
  try {
    const info = fstatSync(fd);
    const data = readFileSync(fd);
    return { size: data.length, mode: info.mode & 0o777, sha256: createHash("sha256").update(data).digest("hex"), mtimeMs: Math.trunc(info.mtimeMs) };
  } finally {
    closeSync(fd);
  }
}

/** Lists the files to deploy (the walk, ignore rules and symlink checks); throws when there are none. */
export async function listProject(options: ScanOptions): Promise<string[]> {
  const paths = await listFiles(options);
  if (paths.length === 0) {
    throw new InputError(`nothing to deploy in ${options.root}`, "check \"files\" and \"ignore\" in the server's config, and .gitignore/.wxdevignore");
  }
  return paths;
}

/**
 * The manifest of `paths`: size, mode and sha256 of each. A file whose size, mode and mtime
 * match `previous` keeps its recorded hash without being read, as rsync's quick check does.
 */
export function hashFiles(root: string, paths: string[], previous?: Manifest): Manifest {
  return Object.fromEntries(
    paths.map((path) => {
      const absolute = join(root, path);
      const known = previous?.[path];
      if (known?.mtimeMs !== undefined) {
        const info = statSync(absolute);
        if (info.size === known.size && (info.mode & 0o777) === known.mode && Math.trunc(info.mtimeMs) === known.mtimeMs) return [path, known];
      }
      return [path, entryOf(absolute)];
    }),
  );
}

/** Computes the local manifest: every file to deploy with its size, mode and sha256. */
export async function scanProject(options: ScanOptions): Promise<Manifest> {
  return hashFiles(options.root, await listProject(options));
}
