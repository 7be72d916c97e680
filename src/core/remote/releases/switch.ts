import { HISTORY, MANIFEST, NEXT_LINK, PARTIAL, RELEASE_META, type RemoteLayout } from "../layout.js";
import { q } from "../shell.js";

/** Why a release went live, as the history records it. */
export type SwitchReason = "deploy" | "rollback";

/**
 * Shell lines that append one history record for a switch from "$prev" (or "-") to `id`, then print where the live
 * link points: the record comes first, as a write to a cut connection kills the script; a record that could not be
 * written (a full disk) still lets the link be printed, and then fails the script.
 */
function recordSwitch(id: string, reason: SwitchReason): string {
  return `unrecorded=""
${NOW_UTC}
printf '%s %s %s %s\\n' "$now" ${q(id)} "\${prev:--}" ${reason} >> "$releases"/${HISTORY} || unrecorded=1
readlink -- "$live"
if [ -n "$unrecorded" ]; then printf 'the switch to %s is not in the history\\n' ${q(id)} >&2; exit 1; fi`;
}

/** A shell line that sets "$now" to the time in UTC as the history writes it (bash's own clock, else date). */
export const NOW_UTC =
  `if [ -n "\${BASH_VERSION-}" ]; then TZ=UTC0 printf -v now "%(%Y-%m-%dT%H:%M:%SZ)T" -1; ` +
  "else now=$(date -u +%Y-%m-%dT%H:%M:%SZ); fi";

/** Shell lines that set "$prev" to the release live now (empty when the live path is not a link). */
const READ_PREV = `prev=""; if [ -L "$live" ]; then prev=$(readlink "$live"); prev=\${prev##*/}; fi`;

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
cd "$new${PARTIAL}"
[ -d ${RELEASE_META} ] || mkdir ${RELEASE_META}
cat > ${MANIFEST}
ln -sfnT "$new" "$live${NEXT_LINK}"
cd "$releases"
mv -T "$new${PARTIAL}" "$new"
${
  adoptAs === undefined
    ? `mv -Tf "$live${NEXT_LINK}" "$live"`
    : `mv -T "$live" "$releases"/${q(adoptAs)}
mv -Tf "$live${NEXT_LINK}" "$live" || { mv -T "$releases"/${q(adoptAs)} "$live"; exit 1; }`
}
${recordSwitch(release, "deploy")}`;
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
ln -sfnT "$releases"/${q(target)} "$live${NEXT_LINK}"
mv -Tf "$live${NEXT_LINK}" "$live"
${recordSwitch(target, "rollback")}`;
}
