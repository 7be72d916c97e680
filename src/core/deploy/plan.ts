import type { Manifest } from "./manifest.js";

/** What a deploy will do, file by file. */
export interface DeployPlan {
  upload: string[];
  delete: string[];
  unchanged: string[];
  /** Files an earlier deploy put there that are gone locally, left alone without --delete. */
  kept: string[];
  bytes: number;
}

/** Compares the local manifest with the one the last deploy left; pure. */
export function planDeploy(local: Manifest, previous: Manifest | undefined, options: { delete: boolean }): DeployPlan {
  const plan: DeployPlan = { upload: [], delete: [], unchanged: [], kept: [], bytes: 0 };
  for (const [path, entry] of Object.entries(local)) {
    const before = previous?.[path];
    if (before !== undefined && before.sha256 === entry.sha256 && before.mode === entry.mode) {
      plan.unchanged.push(path);
    } else {
      plan.upload.push(path);
      plan.bytes += entry.size;
    }
  }
  for (const path of Object.keys(previous ?? {})) {
    if (!(path in local)) (options.delete ? plan.delete : plan.kept).push(path);
  }
  return plan;
}
