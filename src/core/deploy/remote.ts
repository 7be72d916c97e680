import { q } from "../remote/shell.js";

/**
 * Where things live on the server. The live `remoteDir` (e.g. ~/tom) becomes a symlink to
 * the current release under a hidden sibling, ~/.tom.wxdev/releases/<id>; switching a
 * release is one rename(2) of a new link over the old one, so it is atomic.
 */
export interface RemoteLayout {
  /** Shell expression of the live directory (expands $HOME). */
  live: string;
  /** Shell expression of the releases directory. */
  releases: string;
}

export function remoteLayout(remoteDir: string): RemoteLayout {
  const path = remoteDir.replace(/\/+$/, "");
  const fromHome = path.startsWith("~/") ? path.slice(2) : path.startsWith("/") ? undefined : path;
  const expr = (p: string): string => (fromHome === undefined ? q(p) : `"$HOME"/${q(p)}`);
  const base = fromHome ?? path;
  const slash = base.lastIndexOf("/");
  const parent = slash < 0 ? "" : base.slice(0, slash + 1);
  const name = base.slice(slash + 1);
  return { live: expr(base), releases: expr(`${parent}.${name}.wxdev/releases`) };
}

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
 * Takes the deploy lock (flock on releases/.lock) and holds it until stdin closes, so it lasts
 * as long as this SSH session: a killed or disconnected deploy releases it by itself. Prints
 * "locked" once held. Under the lock every *.partial is a dead deploy's, so they go; when the
 * wait runs out, prints who holds it (the holder writes that into the lock file) and exits LOCK_BUSY.
 * `then` runs under the lock first, its output before LOCKED (the state read, without an exec of its own).
 */
export function lockScript(layout: RemoteLayout, holder: string, waitSeconds: number, then = ""): string {
  return `set -e
releases=${layout.releases}
mkdir -p "$releases"
lock="$releases/.lock"
exec 9>>"$lock"
if ! flock -w ${waitSeconds} 9; then head -c 300 "$lock" >&2; exit ${LOCK_BUSY}; fi
printf '%s\n' ${q(holder)} > "$lock"
cd "$releases"
rm -rf -- *.partial
${then === "" ? "" : `(\n${then}\n)\n`}printf '${LOCKED_SENTINEL}'
cat > /dev/null`;
}

/**
 * Starts a release from a copy of the current files, clears what stands in the way of the new
 * ones, then unpacks them from stdin (tar, modes as sent: -p, whatever the server's umask).
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
new=${layout.releases}/${q(`${release}.partial`)}
${from === undefined ? 'mkdir -p "$new"' : `cp -a --reflink=auto -- ${from} "$new"`}
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

/**
 * Finishes a release and makes it live; stdin: the manifest. A plain live directory is first kept
 * as the oldest release (and put back if the switch fails). Every step is its own line under set -e
 * (in `a && b` a failing a would slip past it); prints where the live link points afterwards.
 */
export function switchScript(layout: RemoteLayout, release: string, adoptAs: string | undefined, keep: number): string {
  // Removes all but the newest `keep` releases, never the new one.
  const prune =
    `ls -1 | grep -v '\\.partial$' | sort | head -n -${keep} | ` +
    `while IFS= read -r old; do [ "$releases/$old" = "$new" ] || rm -rf -- "$old"; done`;
  return `set -e
live=${layout.live}; releases=${layout.releases}; new="$releases"/${q(release)}
cd "$new.partial"
mkdir -p .wxdev
cat > .wxdev/manifest.json
ln -sfn "$new" "$live.wxdev-next"
cd "$releases"
mv -T "$new.partial" "$new"
${
  adoptAs === undefined
    ? 'mv -Tf "$live.wxdev-next" "$live"'
    : `mv -T "$live" "$releases"/${q(adoptAs)}
mv -Tf "$live.wxdev-next" "$live" || { mv -T "$releases"/${q(adoptAs)} "$live"; exit 1; }`
}
readlink "$live"
${prune}`;
}

/**
 * Points the live link back at the release before the current one; prints the current and previous names, then
 * where the link points afterwards.
 */
export function rollbackScript(layout: RemoteLayout): string {
  // Prints the release listed just before the current one, or an empty line when there is none.
  const before =
    `ls -1 | grep -v '\\.partial$' | sort | ` +
    `awk -v cur="$cur" '$0==cur{print p; found=1; exit} {p=$0} END{if(!found) print ""}'`;
  return `set -e
live=${layout.live}; releases=${layout.releases}
[ -L "$live" ] || { echo "no wxdev release is live" >&2; exit 3; }
cur=$(basename "$(readlink "$live")")
prev=$(cd "$releases" && ${before})
[ -n "$prev" ] || { echo "no release before $cur" >&2; exit 3; }
ln -sfn "$releases/$prev" "$live.wxdev-next"
mv -Tf "$live.wxdev-next" "$live"
echo "$cur $prev"
readlink "$live"`;
}

/** Runs a command in a login shell in the live directory, so ~/.bashrc functions (workon) exist. */
export function postScript(layout: RemoteLayout, command: string): string {
  return `bash -lc ${q(`cd ${layout.live} && ${command}`)}`;
}

/** Removes a release after a failure (half-built, or finished but never made live) and a stray next link. */
export function cleanupScript(layout: RemoteLayout, release: string): string {
  return `live=${layout.live}; new=${layout.releases}/${q(release)}
rm -rf -- "$new.partial"
rm -f -- "$live.wxdev-next"
[ "$(readlink "$live")" = "$new" ] || rm -rf -- "$new"`;
}
