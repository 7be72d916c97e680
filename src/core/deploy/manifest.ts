import { createHash } from "node:crypto";
import {
  fstatSync,
  lstatSync,
  openSync,
  closeSync,
  existsSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  readSync,
  realpathSync,
  statSync,
} from "node:fs";
import { isAbsolute, join, posix } from "node:path";
import ignore, { type Ignore } from "ignore";
import { InputError } from "../support/errors.js";

export type { Manifest, ManifestEntry } from "../remote/releases/record.js";
import type { Manifest, ManifestEntry } from "../remote/releases/record.js";

/** Never deployed: version control, dependencies, wxdev's own state and config (it may hold secrets). */
export const ALWAYS_IGNORED = [".git/", "node_modules/", ".wxdev/", "wxdev.config.json"];

/**
 * Left out unless a .gitignore says otherwise (`!venv/`) or the path is named literally: what Python and Node
 * projects make locally and the server must make its own of. A folder holding pyvenv.cfg is a virtualenv whatever
 * its name (env/, myenv/), so it is left out too.
 */
export const DEFAULT_IGNORED = ["venv/", ".venv/", "__pycache__/", "*.pyc", ".DS_Store", "node_modules/"];

export interface ScanOptions {
  root: string;
  /** gitignore-style patterns of what to deploy; default: everything not ignored. */
  files?: string[];
  /** Extra gitignore-style patterns to leave out. */
  ignore?: string[];
  /** Told of each file `files` selects that a .gitignore keeps back (name it literally to deploy it). */
  onGitignored?: (path: string) => void;
  /** Files never deployed, whatever selects them (relative to root): the config file in use, whatever its name. */
  exclude?: string[];
}

/** An ignore file's rules, "" when there is none; one that exists but cannot be read stops the deploy. */
function readIgnoreFile(path: string): string {
  try {
    return readFileSync(path, "utf8");
  } catch (error) {
    const { code, message } = error as NodeJS.ErrnoException;
    if (code === "ENOENT") return "";
    // Read as empty, it would send what it holds back (secrets, databases).
    throw new InputError(`cannot read ${path}: ${code ?? message}`, {
      hint: "make it a readable file (chmod u+r) or remove it: read as empty, it would deploy what it holds back",
      cause: error,
    });
  }
}

/** `./a` and `a` name the same file; patterns are written either way. */
const normalisePattern = (pattern: string): string => pattern.replace(/^(\.\/)+/, "");

/**
 * Decides what is left out: the always-ignored list, `.wxdevignore` and `ignore` in every case;
 * `.gitignore` files (the root's and nested ones, each for its own folder, the deepest deciding,
 * so `!keep.log` works) for everything but files named literally in `files` or on the command line.
 */
class IgnoreRules {
  private constructor(
    private readonly always: Ignore,
    private readonly git: { prefix: string; rules: Ignore }[],
    private readonly excluded: ReadonlySet<string>,
  ) {}

  static of(options: ScanOptions): IgnoreRules {
    const always = ignore()
      .add(ALWAYS_IGNORED)
      .add(readIgnoreFile(join(options.root, ".wxdevignore")))
      .add((options.ignore ?? []).map(normalisePattern));
    // The defaults are the outermost .gitignore layer, so any project .gitignore rule decides first.
    const excluded = new Set((options.exclude ?? []).map(normalisePattern));
    return new IgnoreRules(always, [{ prefix: "", rules: ignore().add(DEFAULT_IGNORED) }], excluded);
  }

  /** The rules inside `dir`, with its own .gitignore added. */
  enter(dirRel: string, dir: string): IgnoreRules {
    const text = readIgnoreFile(join(dir, ".gitignore"));
    return text === ""
      ? this
      : new IgnoreRules(
          this.always,
          [...this.git, { prefix: dirRel === "" ? "" : `${dirRel}/`, rules: ignore().add(text) }],
          this.excluded,
        );
  }

  alwaysIgnores(rel: string, isDir: boolean): boolean {
    return (!isDir && this.excluded.has(rel)) || this.always.ignores(isDir ? `${rel}/` : rel);
  }

  /** True when a .gitignore explicitly keeps the folder `rel` (a `!` rule). */
  gitUnignores(rel: string): boolean {
    for (const { prefix, rules } of this.git.toReversed()) {
      if (!`${rel}/`.startsWith(prefix)) continue;
      const verdict = rules.test(`${rel}/`.slice(prefix.length));
      if (verdict.ignored) return false;
      if (verdict.unignored) return true;
    }
    return false;
  }

  gitIgnores(rel: string, isDir: boolean): boolean {
    const path = isDir ? `${rel}/` : rel;
    for (const { prefix, rules } of this.git.toReversed()) {
      if (!path.startsWith(prefix)) continue;
      const verdict = rules.test(path.slice(prefix.length));
      if (verdict.ignored) return true;
      if (verdict.unignored) return false;
    }
    return false;
  }
}

/** A Python virtualenv (venv and virtualenv both write pyvenv.cfg at its top). */
const isVirtualenv = (dir: string): boolean => existsSync(join(dir, "pyvenv.cfg"));

/** What a symlink points at, or why it points nowhere. */
function followLink(path: string): "dir" | "file" | "other" | "broken" | "looping" {
  try {
    const info = statSync(path);
    return info.isDirectory() ? "dir" : info.isFile() ? "file" : "other";
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "ELOOP" ? "looping" : "broken";
  }
}

/**
 * The target of the symlink at `rel`, when it can go up as a link (as rsync -a sends it): relative,
 * and pointing at the same thing from the deployed tree as here, so it stays inside the project.
 * Undefined for a link that points out of it (absolute, or escaping it on the way).
 */
export function linkInsideProject(root: string, rel: string): string | undefined {
  const path = join(root, rel);
  const target = readlinkSync(path);
  if (isAbsolute(target)) return undefined;
  const destination = posix.normalize(posix.join(posix.dirname(rel), target));
  if (destination === ".." || destination.startsWith("../")) return undefined;
  try {
    // .native: the kernel's resolution; the JS realpath folds "link/.." to "." before following the link.
    return realpathSync.native(path) === realpathSync.native(join(root, destination)) ? target : undefined;
  } catch {
    return undefined;
  }
}

/** Patterns that name one path exactly (no wildcard, no negation, no trailing slash). */
function literalNames(patterns: string[] | undefined): Set<string> {
  return new Set(
    (patterns ?? []).map(normalisePattern).filter((pattern) => !/[*?[\]!\\]/.test(pattern) && !pattern.endsWith("/")),
  );
}

/**
 * Lists the files (and symlinks) to deploy. A link pointing inside the project is listed as a link, never followed;
 * one pointing out of it is an error naming it and its target, unless named literally (then what it points to goes up).
 * A broken or looping link that would be deployed is an error naming it.
 */
async function listFiles(options: ScanOptions): Promise<string[]> {
  const wanted = options.files === undefined ? undefined : ignore().add(options.files.map(normalisePattern));
  const literal = literalNames(options.files);
  const named = (rel: string, isDir: boolean): boolean =>
    isDir ? [...literal].some((name) => name.startsWith(`${rel}/`)) : literal.has(rel);
  const selected = (rel: string): boolean => wanted === undefined || wanted.ignores(rel);
  const found: string[] = [];
  const outside: string[] = [];
  const visiting = new Set<string>();
  const walk = (dir: string, dirRel: string, parentRules: IgnoreRules): void => {
    const real = realpathSync(dir);
    if (visiting.has(real))
      throw new InputError(`symlink loop at ${dirRel || "."}`, { hint: "remove the link or add it to .wxdevignore" });
    visiting.add(real);
    const rules = parentRules.enter(dirRel, dir);
    const skipped = (rel: string, isDir: boolean): boolean => {
      if (rules.alwaysIgnores(rel, isDir)) return true;
      if (!rules.gitIgnores(rel, isDir) || named(rel, isDir)) return false;
      const patternsInside =
        isDir && (options.files ?? []).some((pattern) => normalisePattern(pattern).startsWith(`${rel}/`));
      if (wanted !== undefined && (isDir ? patternsInside : selected(rel)))
        options.onGitignored?.(isDir ? `${rel}/` : rel);
      return true;
    };
    const subdirs: [string, string][] = [];
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      const rel = dirRel === "" ? entry.name : `${dirRel}/${entry.name}`;
      let kind: ReturnType<typeof followLink> = entry.isDirectory() ? "dir" : entry.isFile() ? "file" : "other";
      if (entry.isSymbolicLink()) {
        // An ignored symlink is never followed, broken or not.
        if (rules.alwaysIgnores(rel, false) || (rules.gitIgnores(rel, false) && !named(rel, false))) continue;
        kind = followLink(path);
        if (kind === "broken" || kind === "looping") {
          if (!selected(rel)) continue; // not selected: it could hold nothing
          throw new InputError(`${rel} is a ${kind} symlink`, { hint: "fix or remove it, or add it to .wxdevignore" });
        }
        const inside = linkInsideProject(options.root, rel) !== undefined;
        if (inside || !(named(rel, false) || (kind === "dir" && named(rel, true)))) {
          if (!selected(rel)) continue;
          if (inside) found.push(rel);
          else outside.push(`${rel} → ${readlinkSync(path)}`);
          continue;
        }
      }
      if (kind === "dir" && isVirtualenv(path) && !rules.gitUnignores(rel) && !named(rel, true)) continue;
      if (kind === "dir" && !skipped(rel, true)) subdirs.push([path, rel]);
      else if (kind === "file" && selected(rel) && !skipped(rel, false)) found.push(rel);
    }
    for (const [sub, subRel] of subdirs) walk(sub, subRel, rules);
    visiting.delete(real);
  };
  walk(options.root, "", IgnoreRules.of(options));
  if (outside.length > 0) {
    throw new InputError(
      `${outside.length === 1 ? "a symlink points" : "symlinks point"} out of the project: ` +
        outside.sort().join(", "),
      {
        hint:
          "point it inside with a relative target, add it to .wxdevignore," +
          ' or name it in "files" or on the command line to upload what it points to',
      },
    );
  }
  return found.sort();
}

/** Where files are read to be hashed: one buffer for all of them, so a large file never sits whole in memory. */
let hashBuffer: Buffer | undefined;

/**
 * Hashes one file: size, permission bits, sha256 (synchronous: for thousands of small files that beats the thread
 * pool).
 */
function entryOf(absolute: string): ManifestEntry {
  const fd = openSync(absolute, "r");
  try {
    const info = fstatSync(fd);
    hashBuffer ??= Buffer.allocUnsafe(1024 * 1024);
    const hash = createHash("sha256");
    let size = 0;
    for (let read = -1; read !== 0 && size < info.size; size += read) {
      read = readSync(fd, hashBuffer, 0, Math.min(hashBuffer.length, info.size - size), null);
      hash.update(hashBuffer.subarray(0, read));
    }
    return { size, mode: info.mode & 0o777, sha256: hash.digest("hex"), mtimeMs: Math.trunc(info.mtimeMs) };
  } finally {
    closeSync(fd);
  }
}

/** Lists the files and links to deploy (the walk, ignore rules and symlink checks); throws when there are none. */
export async function listProject(options: ScanOptions): Promise<string[]> {
  const paths = await listFiles(options);
  if (paths.length === 0) {
    throw new InputError(`nothing to deploy in ${options.root}`, {
      hint: 'check "files" and "ignore" in the server\'s config, and .gitignore/.wxdevignore',
    });
  }
  return paths;
}

/** A symlink's entry: its target text stands for its content. */
function linkEntry(target: string): ManifestEntry {
  return {
    size: Buffer.byteLength(target),
    mode: 0o777,
    sha256: createHash("sha256").update(target).digest("hex"),
    link: target,
  };
}

/**
 * The manifest of `paths`: size, mode and sha256 of each; a symlink inside the project as a link.
 * A file whose size, mode and mtime match `previous` keeps its recorded hash without being read,
 * as rsync's quick check does.
 */
export function hashFiles(root: string, paths: string[], previous?: Manifest): Manifest {
  return Object.fromEntries(
    paths.map((path) => {
      const absolute = join(root, path);
      const link = lstatSync(absolute).isSymbolicLink() ? linkInsideProject(root, path) : undefined;
      if (link !== undefined) return [path, linkEntry(link)];
      const known = previous?.[path];
      if (known?.mtimeMs !== undefined) {
        const info = statSync(absolute);
        if (
          info.size === known.size &&
          (info.mode & 0o777) === known.mode &&
          Math.trunc(info.mtimeMs) === known.mtimeMs
        )
          return [path, known];
      }
      return [path, entryOf(absolute)];
    }),
  );
}

/** Computes the local manifest: every file to deploy with its size, mode and sha256. */
export async function scanProject(options: ScanOptions): Promise<Manifest> {
  return hashFiles(options.root, await listProject(options));
}
