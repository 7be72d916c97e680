import { CheckFailedError } from "../../support/errors.js";
import { HISTORY, PARTIAL, RELEASE_META, type RemoteLayout, remoteLayout } from "../layout.js";
import { q, type RemoteShell } from "../shell.js";
import { guardScript } from "../state-guard.js";
import { NOW_UTC } from "./switch.js";

/**
 * The health gate's verdict on a release, recorded in the history as a line of its own ("time id - gate-failed"):
 * a release that failed it is never the release `--rollback` picks.
 */
export type GateVerdict = "passed" | "failed";

/**
 * Lists the releases: "live <id>" (or "live -"), then "release <id> <files>" for each, oldest first (files: regular
 * files and links, wxdev's own .wxdev folder left out; "-" unless `count`, as counting reads every release's
 * folders), then the history, each line prefixed "history ". Release folders only: not the history, the lock, or a
 * half-built *.partial.
 */
export function listScript(layout: RemoteLayout, options: { count?: boolean } = {}): string {
  const files = options.count
    ? `$(find "$r" -path "$r/${RELEASE_META}" -prune -o \\( -type f -o -type l \\) -print | wc -l)`
    : "-";
  return `${guardScript(layout, { create: false })}
set -e
live=${layout.live}; releases=${layout.releases}
if [ -L "$live" ]; then now=$(readlink "$live"); echo "live \${now##*/}"; else echo "live -"; fi
[ -d "$releases" ] || exit 0
cd "$releases"
for r in *; do
  case $r in *${PARTIAL} | ${HISTORY}) continue ;; esac
  [ -d "$r" ] || continue
  printf 'release %s %s\\n' "$r" "${files}"
done
if [ -f ${HISTORY} ]; then while IFS= read -r h || [ -n "$h" ]; do printf 'history %s\\n' "$h"; done < ${HISTORY}; fi`;
}

/**
 * Appends the health gate's verdict on release `id` to the history (after checking the state folder); prints
 * nothing. Under the deploy lock, like the switch it follows.
 */
export function verdictScript(layout: RemoteLayout, id: string, verdict: GateVerdict): string {
  return `${guardScript(layout, { create: false })}
set -e
${NOW_UTC}
printf '%s %s - gate-%s\\n' "$now" ${q(id)} ${verdict} >> ${layout.releases}/${HISTORY}`;
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
  /** Its files and links (wxdev's own folder left out), when the listing counted them. */
  files?: number;
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
  const found: { id: string; files?: number }[] = [];
  const history: HistoryEntry[] = [];
  const verdicts = new Map<string, GateVerdict>();
  for (const line of output.split("\n")) {
    const [kind, ...rest] = line.split(" ");
    if (kind === "live") live = rest[0] === "-" ? undefined : rest.join(" ");
    else if (kind === "release" && rest.length >= 2)
      found.push({ id: rest.slice(0, -1).join(" "), ...(rest.at(-1) === "-" ? {} : { files: Number(rest.at(-1)) }) });
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
    ...(files === undefined ? {} : { files }),
    live: id === live,
    rollbackTarget: id === target,
    ...(verdicts.has(id) ? { gate: verdicts.get(id) } : {}),
  }));
  return { releases, ...(live ? { live } : {}), ...(target ? { rollbackTarget: target } : {}), history };
}

/** Reads the server's releases, the live one and the history (no lock: it only reads). */
export async function listReleases(shell: RemoteShell, remoteDir: string): Promise<ReleaseListing> {
  const result = await shell.exec(listScript(remoteLayout(remoteDir), { count: true }));
  if (result.code !== 0)
    throw new CheckFailedError(
      `reading the releases failed on the server: ${result.stderr.trim().split("\n")[0] || "no message"}`,
      { hint: "check the remote directory's permissions (ls -l)" },
    );
  return parseListing(result.stdout);
}
