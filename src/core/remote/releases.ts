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
 * printed (recordSwitch); then all but the newest `keep` releases are pruned, never the live one nor the one
 * live before it (the rollback target).
 */
export function switchScript(layout: RemoteLayout, release: string, adoptAs: string | undefined, keep: number): string {
  const prune =
    `${LIST_RELEASES} | head -n -${keep} | ` +
    `while IFS= read -r old; do [ "$old" = ${q(release)} ] || [ "$old" = "$prev" ] || rm -rf -- "$old"; done`;
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
${recordSwitch(release, "deploy")}
${prune}`;
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
 * The release a rollback returns to: the one that was live before the live one, by the history (the last switch
 * that made it live names it); without a history entry for it (releases from before the history), the release
 * before it by name. Undefined when there is none, or it is gone.
 */
export function rollbackTarget(
  live: string | undefined,
  existing: string[],
  history: HistoryEntry[],
): string | undefined {
  if (live === undefined) return undefined;
  const made = history.findLast((entry) => entry.id === live);
  if (made !== undefined)
    return made.previous !== undefined && existing.includes(made.previous) ? made.previous : undefined;
  const sorted = [...existing].sort();
  const at = sorted.indexOf(live);
  return at > 0 ? sorted[at - 1] : undefined;
}

/** Parses what listScript printed. */
export function parseListing(output: string): ReleaseListing {
  let live: string | undefined;
  const found: { id: string; files: number }[] = [];
  const history: HistoryEntry[] = [];
  for (const line of output.split("\n")) {
    const [kind, ...rest] = line.split(" ");
    if (kind === "live") live = rest[0] === "-" ? undefined : rest.join(" ");
    else if (kind === "release" && rest.length >= 2)
      found.push({ id: rest.slice(0, -1).join(" "), files: Number(rest.at(-1)) });
    else if (kind === "history" && rest.length >= 4) {
      const [time = "", id = "", previous = "-", reason = ""] = rest;
      history.push({ time, id, ...(previous === "-" ? {} : { previous }), reason });
    }
  }
  const target = rollbackTarget(
    live,
    found.map((release) => release.id),
    history,
  );
  const releases = found.map(({ id, files }) => ({
    id,
    ...(releaseTime(id) ? { time: releaseTime(id) } : {}),
    files,
    live: id === live,
    rollbackTarget: id === target,
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
