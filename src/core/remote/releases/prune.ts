import { type RemoteLayout, remoteLayout } from "../layout.js";
import { q, type RemoteShell } from "../shell.js";
import { guardScript } from "../state-guard.js";
import { listScript, parseListing, type ReleaseListing } from "./list.js";

/**
 * The releases to remove so that the newest `keep` by name remain, never the live one nor the one `--rollback`
 * would pick (which may be older: the newest that passed its health gate).
 */
export function releasesToPrune(listing: ReleaseListing, keep: number): string[] {
  const ids = listing.releases.map((release) => release.id).sort();
  const needed = new Set([listing.live, listing.rollbackTarget]);
  return ids.slice(0, Math.max(0, ids.length - keep)).filter((id) => !needed.has(id));
}

/** Removes the named releases (checking the state folder first), never the one the live link points at. */
export function pruneScript(layout: RemoteLayout, ids: string[]): string {
  return `${guardScript(layout, { create: false })}
set -e
live=${layout.live}; cd ${layout.releases}
now=$(readlink -- "$live"); now=\${now##*/}
for old in ${ids.map(q).join(" ")}; do [ "$old" = "$now" ] || rm -rf -- "$old"; done`;
}

/**
 * Keeps the newest `keep` releases and what a rollback needs (releasesToPrune), by the history as it stands (the
 * health gate's verdicts included); resolves with why that failed, or undefined.
 */
export async function pruneReleases(shell: RemoteShell, remoteDir: string, keep: number): Promise<string | undefined> {
  const layout = remoteLayout(remoteDir);
  const listed = await shell.exec(listScript(layout));
  if (listed.code !== 0) return listed.stderr.trim().split("\n")[0] || `exit ${listed.code}`;
  const ids = releasesToPrune(parseListing(listed.stdout), keep);
  if (ids.length === 0) return undefined;
  const pruned = await shell.exec(pruneScript(layout, ids));
  return pruned.code === 0 ? undefined : pruned.stderr.trim().split("\n")[0] || `exit ${pruned.code}`;
}
