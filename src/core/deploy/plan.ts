import type { Manifest } from "./manifest.js";

/** What a deploy will do, file by file. */
export interface DeployPlan {
  upload: string[];
  delete: string[];
  unchanged: string[];
  /** Files an earlier deploy put there that are gone locally, left alone without --delete. */
  kept: string[];
  /** Earlier files or folders in the way of an upload (a file that became a folder, or back), removed first. */
  replace: string[];
  bytes: number;
}

/** True when `path` is one of `roots` or inside one of them. */
export function isWithin(path: string, roots: readonly string[]): boolean {
  return roots.some((root) => path === root || path.startsWith(`${root}/`));
}

/**
 * Previously deployed paths that block an upload: a file where a folder is needed now, or a folder where a file
 * goes.
 */
function inTheWay(upload: string[], local: Manifest, previous: Manifest): string[] {
  const folders = new Set<string>();
  for (const path of Object.keys(previous)) {
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1))
      folders.add(path.slice(0, slash));
  }
  const blocking = new Set<string>();
  for (const path of upload) {
    if (folders.has(path)) blocking.add(path);
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1)) {
      const parent = path.slice(0, slash);
      if (parent in previous && !(parent in local)) blocking.add(parent);
    }
  }
  return [...blocking].sort();
}

/**
 * Compares the local manifest with the one the last deploy left (`deployed`: all of it, when `previous` is only the
 * part being deployed); pure.
 */
export function planDeploy(
  local: Manifest,
  previous: Manifest | undefined,
  options: { delete: boolean; deployed?: Manifest },
): DeployPlan {
  const plan: DeployPlan = { upload: [], delete: [], unchanged: [], kept: [], replace: [], bytes: 0 };
  for (const [path, entry] of Object.entries(local)) {
    const before = previous?.[path];
    if (
      before !== undefined &&
      before.sha256 === entry.sha256 &&
      before.mode === entry.mode &&
      before.link === entry.link
    ) {
      plan.unchanged.push(path);
    } else {
      plan.upload.push(path);
      plan.bytes += entry.size;
    }
  }
  const deployed = options.deployed ?? previous;
  plan.replace = deployed === undefined ? [] : inTheWay(plan.upload, local, deployed);
  for (const path of Object.keys(previous ?? {})) {
    if (!(path in local) && !isWithin(path, plan.replace)) (options.delete ? plan.delete : plan.kept).push(path);
  }
  return plan;
}

/**
 * The folders that deleting `deleted` may leave empty (none holding a `remaining` path), deepest first, so each can
 * go after its contents.
 */
export function emptiedFolders(deleted: readonly string[], remaining: readonly string[]): string[] {
  const ancestors = (path: string): string[] => {
    const found: string[] = [];
    for (let slash = path.indexOf("/"); slash !== -1; slash = path.indexOf("/", slash + 1))
      found.push(path.slice(0, slash));
    return found;
  };
  const occupied = new Set(remaining.flatMap(ancestors));
  const folders = new Set(deleted.flatMap(ancestors).filter((folder) => !occupied.has(folder)));
  const depth = (folder: string): number => folder.split("/").length;
  return [...folders].sort((a, b) => depth(b) - depth(a) || a.localeCompare(b));
}
