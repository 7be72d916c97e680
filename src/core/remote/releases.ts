import { CheckFailedError } from "../support/errors.js";
import { q, type RemoteShell } from "./shell.js";
import { guardScript } from "./state-guard.js";

/**
 * Where things live on the server. The live `remoteDir` (e.g. ~/tom) becomes a symlink to
 * the current release under a hidden sibling, ~/.tom.wxdev/releases/<id>; switching a
 * release is one rename(2) of a new link over the old one, so it is atomic. Next to the
 * releases, an append-only `history` records every switch ("time id previous reason"), so a
 * rollback goes back to what was live before, not to whatever sorts before by name.
 */
export interface RemoteLayout {
  /** Shell expression of the live directory (expands $HOME). */
  live: string;
  /** Shell expression of the releases directory. */
  releases: string;
  /** Shell expression of the hidden sibling that holds the releases and the app's pid file and logs. */
  state: string;
}

/** The layout for a `remoteDir` as written in the config (`~/tom`, `/srv/app`, `apps/x`). */
export function remoteLayout(remoteDir: string): RemoteLayout {
  const path = remoteDir.replace(/\/+$/, "");
  const fromHome = path.startsWith("~/") ? path.slice(2) : path.startsWith("/") ? undefined : path;
  const expr = (p: string): string => (fromHome === undefined ? q(p) : `"$HOME"/${q(p)}`);
  const base = fromHome ?? path;
  const slash = base.lastIndexOf("/");
  const parent = slash < 0 ? "" : base.slice(0, slash + 1);
  const name = base.slice(slash + 1);
  return {
    live: expr(base),
    releases: expr(`${parent}.${name}.wxdev/releases`),
    state: expr(`${parent}.${name}.wxdev`),
  };
}

/** The history file's name inside the releases folder (not a release: its name has no digits first). */
export const HISTORY = "history";

/** Why a release went live, as the history records it. */
export type SwitchReason = "deploy" | "rollback";

/**
 * The health gate's verdict on a release, recorded in the history as a line of its own ("time id - gate-failed"):
 * a release that failed it is never the release `--rollback` picks.
 */
export type GateVerdict = "passed" | "failed";

/**
 * Shell lines that append one history record for a switch from "$prev" (or "-") to `id`, then print where the live
 * link points: the record comes first, as a write to a cut connection kills the script; a record that could not be
 * written (a full disk) still lets the link be printed, and then fails the script.
 */
function recordSwitch(id: string, reason: SwitchReason): string {
  const time = '"$(date -u +%Y-%m-%dT%H:%M:%SZ)"';
  return `unrecorded=""
printf '%s %s %s %s\\n' ${time} ${q(id)} "\${prev:--}" ${reason} >> "$releases"/${HISTORY} || unrecorded=1
readlink -- "$live"
if [ -n "$unrecorded" ]; then printf 'the switch to %s is not in the history\\n' ${q(id)} >&2; exit 1; fi`;
}

/** Shell lines that set "$prev" to the release live now (empty when the live path is not a link). */
const READ_PREV = 'prev=""; if [ -L "$live" ]; then prev=$(basename "$(readlink "$live")"); fi';

/** Release folder names only: not the history, the lock, or a half-built *.partial. */
const LIST_RELEASES = `ls -1 | grep -v -e '\\.partial$' -e '^${HISTORY}$' -e '^\\.lock$' | sort`;

/**
 * Finishes a release and makes it live; stdin: the manifest. A plain live directory is first kept
 * as the oldest release (and put back if the switch fails). Every step is its own line under set -e
 * (in `a && b` a failing a would slip past it). The switch is recorded, then where the live link points
 * printed (recordSwitch). Old releases are pruned later (pruneReleases), once the health gate has spoken.
 */
export function switchScript(layout: RemoteLayout, release: string, adoptAs: string | undefined): string {
  return `set -e
umask 077
live=${layout.live}; releases=${layout.releases}; new="$releases"/${q(release)}
${adoptAs === undefined ? READ_PREV : `prev=${q(adoptAs)}`}
cd "$new.partial"
mkdir -p .wxdev
cat > .wxdev/manifest.json
ln -sfnT "$new" "$live.wxdev-next"
cd "$releases"
mv -T "$new.partial" "$new"
${
  adoptAs === undefined
    ? 'mv -Tf "$live.wxdev-next" "$live"'
    : `mv -T "$live" "$releases"/${q(adoptAs)}
mv -Tf "$live.wxdev-next" "$live" || { mv -T "$releases"/${q(adoptAs)} "$live"; exit 1; }`
}
${recordSwitch(release, "deploy")}`;
}

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
now=$(basename "$(readlink -- "$live")")
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

/**
 * Lists the releases: "live <id>" (or "live -"), then "release <id> <files>" for each (files: regular files and
 * links, wxdev's own .wxdev folder left out), then the history, each line prefixed "history ".
 */
export function listScript(layout: RemoteLayout): string {
  return `${guardScript(layout, { create: false })}
set -e
live=${layout.live}; releases=${layout.releases}
if [ -L "$live" ]; then echo "live $(basename "$(readlink "$live")")"; else echo "live -"; fi
[ -d "$releases" ] || exit 0
cd "$releases"
${LIST_RELEASES} | while IFS= read -r r; do
  n=$(find "$r" -path "$r/.wxdev" -prune -o \\( -type f -o -type l \\) -print | wc -l)
  echo "release $r $n"
done
if [ -f ${HISTORY} ]; then sed 's/^/history /' ${HISTORY}; fi`;
}

/**
 * Points the live link at release `target`, if the live one is still `current` (read under the same lock);
 * records the switch and prints where the link points afterwards (recordSwitch).
 */
export function rollbackScript(layout: RemoteLayout, current: string, target: string): string {
  return `set -e
umask 077
live=${layout.live}; releases=${layout.releases}
[ -d "$releases"/${q(target)} ] || { printf 'release %s is gone\\n' ${q(target)} >&2; exit 3; }
${READ_PREV}
[ "$prev" = ${q(current)} ] || { printf 'the live release changed (now %s)\\n' "\${prev:-none}" >&2; exit 3; }
ln -sfnT "$releases"/${q(target)} "$live.wxdev-next"
mv -Tf "$live.wxdev-next" "$live"
${recordSwitch(target, "rollback")}`;
}

/**
 * Appends the health gate's verdict on release `id` to the history (after checking the state folder); prints
 * nothing. Under the deploy lock, like the switch it follows.
 */
export function verdictScript(layout: RemoteLayout, id: string, verdict: GateVerdict): string {
  return `${guardScript(layout, { create: false })}
set -e
printf '%s %s - gate-%s\\n' "$(date -u +%Y-%m-%dT%H:%M:%SZ)" ${q(id)} ${verdict} >> ${layout.releases}/${HISTORY}`;
}

/** Records the gate's verdict on a release; resolves with why that failed (undefined when it was recorded). */
export async function recordVerdict(
  shell: RemoteShell,
  remoteDir: string,
  id: string,
  verdict: GateVerdict,
): Promise<string | undefined> {
  const result = await shell.exec(verdictScript(remoteLayout(remoteDir), id, verdict));
  if (result.code === 0) return undefined;
  return result.stderr.trim().split("\n")[0] || `exit ${result.code}`;
}

/** One line of the history: `id` went live at `time`, replacing `previous` (undefined: nothing was). */
export interface HistoryEntry {
  time: string;
  id: string;
  previous?: string;
  reason: string;
}

/** One release on the server. */
export interface ReleaseInfo {
  id: string;
  /** When it was made, from its id (undefined for a name wxdev did not give). */
  time?: string;
  files: number;
  live: boolean;
  /** The release `--rollback` would switch to. */
  rollbackTarget: boolean;
  /** The health gate's last verdict on it (none when no gate ran: no "start", or --no-start). */
  gate?: GateVerdict;
}

/** What listScript found: the releases oldest first, the live one, the rollback target, the history. */
export interface ReleaseListing {
  releases: ReleaseInfo[];
  live?: string;
  rollbackTarget?: string;
  history: HistoryEntry[];
}

/** A release id's time ("20240501T120000123Z-1abcdef" → "2024-05-01T12:00:00.123Z"). */
export function releaseTime(id: string): string | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})(\d{3})Z-/.exec(id);
  if (!match) return undefined;
  const [, y, mo, d, h, mi, s, ms] = match;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}.${ms}Z`;
}

/**
 * The release a rollback returns to: the one that was live before the live one, by the history, passing over any
 * that failed its health gate (`failed`) or is gone, to the one live before that; without a history entry for the
 * live release (releases from before the history), the release before it by name. Undefined when there is none.
 */
export function rollbackTarget(
  live: string | undefined,
  existing: string[],
  history: HistoryEntry[],
  failed: ReadonlySet<string> = new Set(),
): string | undefined {
  if (live === undefined) return undefined;
  const usable = (id: string | undefined): id is string =>
    id !== undefined && id !== live && existing.includes(id) && !failed.has(id);
  const at = history.findLastIndex((entry) => entry.id === live);
  if (at >= 0) {
    // What was live before, most recent first: the release each switch replaced.
    const before = history
      .slice(0, at + 1)
      .map((entry) => entry.previous)
      .reverse();
    return before.find(usable);
  }
  return [...existing]
    .sort()
    .filter((id) => id < live)
    .reverse()
    .find(usable);
}

/** Parses what listScript printed. */
export function parseListing(output: string): ReleaseListing {
  let live: string | undefined;
  const found: { id: string; files: number }[] = [];
  const history: HistoryEntry[] = [];
  const verdicts = new Map<string, GateVerdict>();
  for (const line of output.split("\n")) {
    const [kind, ...rest] = line.split(" ");
    if (kind === "live") live = rest[0] === "-" ? undefined : rest.join(" ");
    else if (kind === "release" && rest.length >= 2)
      found.push({ id: rest.slice(0, -1).join(" "), files: Number(rest.at(-1)) });
    else if (kind === "history" && rest.length >= 4) {
      const [time = "", id = "", previous = "-", reason = ""] = rest;
      if (reason === "gate-passed" || reason === "gate-failed")
        verdicts.set(id, reason === "gate-passed" ? "passed" : "failed");
      else history.push({ time, id, ...(previous === "-" ? {} : { previous }), reason });
    }
  }
  const failed = new Set([...verdicts].flatMap(([id, verdict]) => (verdict === "failed" ? [id] : [])));
  const target = rollbackTarget(
    live,
    found.map((release) => release.id),
    history,
    failed,
  );
  const releases = found.map(({ id, files }) => ({
    id,
    ...(releaseTime(id) ? { time: releaseTime(id) } : {}),
    files,
    live: id === live,
    rollbackTarget: id === target,
    ...(verdicts.has(id) ? { gate: verdicts.get(id) } : {}),
  }));
  return { releases, ...(live ? { live } : {}), ...(target ? { rollbackTarget: target } : {}), history };
}

/** Reads the server's releases, the live one and the history (no lock: it only reads). */
export async function listReleases(shell: RemoteShell, remoteDir: string): Promise<ReleaseListing> {
  const result = await shell.exec(listScript(remoteLayout(remoteDir)));
  if (result.code !== 0)
    throw new CheckFailedError(
      `reading the releases failed on the server: ${result.stderr.trim().split("\n")[0] || "no message"}`,
      { hint: "check the remote directory's permissions (ls -l)" },
    );
  return parseListing(result.stdout);
}
