import type { RemoteLayout } from "../remote/releases.js";
import { q } from "../remote/shell.js";
import { guardScript } from "../remote/state-guard.js";

// The layout, switch and rollback are core/remote/releases.ts's; re-exported for the deploy steps that use them.
export { remoteLayout, type RemoteLayout } from "../remote/releases.js";

/** Reads the state: what the live path is (link/plain/none) and the current release's manifest. */
export function inspectScript(layout: RemoteLayout): string {
  return `set -e
live=${layout.live}
if [ -L "$live" ]; then cur=$(readlink "$live"); echo "link $cur"; cat "$cur/.wxdev/manifest.json" 2>/dev/null || true
elif [ -d "$live" ]; then echo plain; cat "$live/.wxdev/manifest.json" 2>/dev/null || true
elif [ -e "$live" ]; then echo file
else echo none; fi`;
}

/** Exit status of lockScript when another deploy held the lock for the whole wait. */
export const LOCK_BUSY = 4;

/** What lockScript prints once the lock is held (after its `then` output, which has no NUL). */
export const LOCKED = "\0locked\n";
const LOCKED_SENTINEL = "\\0locked\\n";

/**
 * Takes the deploy lock (flock on releases/.lock) and holds it while this SSH session lives, so a killed or
 * disconnected deploy releases it by itself: until stdin closes or, with `staleSeconds`, until no line has come
 * on stdin for that long (the holder sends one now and then: a connection that dropped silently, which sshd may
 * not notice for hours, lets go of the lock then). Checks the state folder first (guardScript). Prints "locked"
 * once held. Under the lock every *.partial is a dead deploy's, so they go; when the wait runs out, prints who
 * holds it (the holder writes that into the lock file) and exits LOCK_BUSY. `then` runs under the lock first,
 * its output before LOCKED (the state read, without an exec of its own). A bash script (read -t).
 */
export function lockScript(
  layout: RemoteLayout,
  holder: string,
  waitSeconds: number,
  then = "",
  staleSeconds?: number,
): string {
  const hold = staleSeconds === undefined ? "cat > /dev/null" : `while IFS= read -r -t ${staleSeconds} _; do :; done`;
  return `${guardScript(layout, { create: true })}
set -e
releases=${layout.releases}
mkdir -p -- "$releases"
lock="$releases/.lock"
exec 9>>"$lock"
if ! flock -w ${waitSeconds} 9; then head -c 300 "$lock" >&2; exit ${LOCK_BUSY}; fi
printf '%s\n' ${q(holder)} > "$lock"
cd "$releases"
rm -rf -- *.partial
${then === "" ? "" : `(\n${then}\n)\n`}printf '${LOCKED_SENTINEL}'
${hold}`;
}

/**
 * Starts a release from a copy of the current files, clears what stands in the way of the new
 * ones, then unpacks them from stdin (tar, modes as sent: -p, whatever the server's umask). The release folder
 * is the account's alone (0700; folders tar makes on the way get the umask, 077).
 * A copy, not hard links: the app's own files (app.log, a SQLite database) must stay apart per
 * release, or writing one would change every release and a rollback would bring nothing back.
 * --reflink=auto makes the copy nearly free where the filesystem shares blocks.
 */
export function uploadScript(
  layout: RemoteLayout,
  release: string,
  from: string | undefined,
  withTar: boolean,
  inTheWay: string[] = [],
): string {
  return `set -e
umask 077
new=${layout.releases}/${q(`${release}.partial`)}
${from === undefined ? 'mkdir -p "$new"' : `cp -a --reflink=auto -- ${from} "$new"`}
chmod 700 "$new"
cd "$new"
${inTheWay.length > 0 ? `rm -rf -- ${inTheWay.map((path) => q(path)).join(" ")}` : ""}
${withTar ? "tar -x -p -f -" : ""}`;
}

/**
 * Removes files from the new release, then the folders named with a trailing slash if that left them empty;
 * stdin: the paths, NUL-separated, folders last and deepest first.
 */
export function deleteScript(layout: RemoteLayout, release: string): string {
  // What xargs runs on each batch of paths: a folder (trailing slash) goes only if it is empty.
  const eachBatch =
    'set -e; for p; do case $p in */) rmdir -- "$p" 2>/dev/null || true ;; *) rm -f -- "$p" ;; esac; done';
  return `set -e
cd ${layout.releases}/${q(`${release}.partial`)}
xargs -0 -r sh -c '${eachBatch}' sh`;
}

/**
 * Hashes the files just unpacked into the new release (stdin: their paths, NUL-separated); prints "sha256  path"
 * records, NUL-terminated; a missing file is simply absent.
 */
export function verifyScript(layout: RemoteLayout, release: string, links: string[] = []): string {
  // A link is checked by its target text (as the manifest records it), never followed.
  const checkLinks =
    links.length === 0
      ? ""
      : `for p in ${links.map(q).join(" ")}; do t=$(readlink -- "$p") || t=""; ` +
        `h=$(printf '%s' "$t" | sha256sum); printf '%s  %s\\0' "\${h%% *}" "$p"; done\n`;
  return `set -e
cd ${layout.releases}/${q(`${release}.partial`)}
${checkLinks}xargs -0 -r sha256sum -z -- || [ $? -eq 123 ]`;
}

/** Removes a release after a failure (half-built, or finished but never made live) and a stray next link. */
export function cleanupScript(layout: RemoteLayout, release: string): string {
  return `live=${layout.live}; new=${layout.releases}/${q(release)}
rm -rf -- "$new.partial"
rm -f -- "$live.wxdev-next"
[ "$(readlink "$live")" = "$new" ] || rm -rf -- "$new"`;
}
