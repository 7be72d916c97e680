import { NEXT_LINK, PARTIAL, type RemoteLayout } from "../layout.js";
import { q } from "../shell.js";

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
new=${layout.releases}/${q(`${release}${PARTIAL}`)}
${from === undefined ? 'mkdir -p "$new"' : `cp -a --reflink=auto -- ${from} "$new"\nchmod 700 "$new"`}
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
cd ${layout.releases}/${q(`${release}${PARTIAL}`)}
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
cd ${layout.releases}/${q(`${release}${PARTIAL}`)}
${checkLinks}xargs -0 -r sha256sum -z -- || [ $? -eq 123 ]`;
}

/** Removes a release after a failure (half-built, or finished but never made live) and a stray next link. */
export function cleanupScript(layout: RemoteLayout, release: string): string {
  return `live=${layout.live}; new=${layout.releases}/${q(release)}
rm -rf -- "$new${PARTIAL}"
rm -f -- "$live${NEXT_LINK}"
[ "$(readlink "$live")" = "$new" ] || rm -rf -- "$new"`;
}
