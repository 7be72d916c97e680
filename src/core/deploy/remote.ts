import type { Readable } from "node:stream";

/** What the deploy needs of an SSH connection; the CLI passes one backed by node-ssh. */
export interface RemoteShell {
  exec(
    command: string,
    options?: { stdin?: Readable | string; onStdout?: (chunk: Buffer) => void; onStderr?: (chunk: Buffer) => void },
  ): Promise<{ code: number | null; signal?: string | null; stdout: string; stderr: string }>;
}

/** Quotes a string for POSIX sh. */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

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

/** Reads the state: what the live path is (link/plain/none) and the current release's manifest; `readOnly` (a dry run) also skips clearing killed deploys' leftovers. */
export function inspectScript(layout: RemoteLayout, readOnly = false): string {
  return `set -e
live=${layout.live}; releases=${layout.releases}
${readOnly ? "" : `mkdir -p "$releases"
(cd "$releases" && rm -rf -- *.partial)`}
if [ -L "$live" ]; then cur=$(readlink "$live"); echo "link $cur"; cat "$cur/.wxdev/manifest.json" 2>/dev/null || true
elif [ -d "$live" ]; then echo plain; cat "$live/.wxdev/manifest.json" 2>/dev/null || true
elif [ -e "$live" ]; then echo file
else echo none; fi`;
}

/**
 * Starts a release from a copy of the current files, clears what stands in the way of the new
 * ones, then unpacks them from stdin (tar, modes as sent: -p, whatever the server's umask).
 * A copy, not hard links: the app's own files (app.log, a SQLite database) must stay apart per
 * release, or writing one would change every release and a rollback would bring nothing back.
 * --reflink=auto makes the copy nearly free where the filesystem shares blocks.
 */
export function uploadScript(layout: RemoteLayout, release: string, from: string | undefined, withTar: boolean, inTheWay: string[] = []): string {
  return `set -e
new=${layout.releases}/${q(`${release}.partial`)}
${from === undefined ? 'mkdir -p "$new"' : `cp -a --reflink=auto -- ${from} "$new"`}
cd "$new"
${inTheWay.length > 0 ? `rm -rf -- ${inTheWay.map((path) => q(path)).join(" ")}` : ""}
${withTar ? "tar -x -p -f -" : ""}`;
}

/** Removes files from the new release; stdin: the paths, NUL-separated. */
export function deleteScript(layout: RemoteLayout, release: string): string {
  return `cd ${layout.releases}/${q(`${release}.partial`)} && xargs -0 -r rm -f --`;
}

/** Finishes a release and makes it live; stdin: the manifest. A plain live directory is first kept as the oldest release. */
export function switchScript(layout: RemoteLayout, release: string, adoptAs: string | undefined, keep: number): string {
  return `set -e
live=${layout.live}; releases=${layout.releases}; new="$releases"/${q(release)}
cd "$new.partial" && mkdir -p .wxdev
cat > .wxdev/manifest.json
cd "$releases" && mv -T "$new.partial" "$new"
${adoptAs === undefined ? "" : `mv -T "$live" "$releases"/${q(adoptAs)}`}
ln -sfn "$new" "$live.wxdev-next" && mv -Tf "$live.wxdev-next" "$live"
ls -1 | grep -v '\\.partial$' | sort | head -n -${keep} | while IFS= read -r old; do [ "$releases/$old" = "$new" ] || rm -rf -- "$old"; done`;
}

/** Points the live link back at the release before the current one. */
export function rollbackScript(layout: RemoteLayout): string {
  return `set -e
live=${layout.live}; releases=${layout.releases}
[ -L "$live" ] || { echo "no wxdev release is live" >&2; exit 3; }
cur=$(basename "$(readlink "$live")")
prev=$(cd "$releases" && ls -1 | grep -v '\\.partial$' | sort | awk -v cur="$cur" '$0==cur{print p; found=1; exit} {p=$0} END{if(!found) print ""}')
[ -n "$prev" ] || { echo "no release before $cur" >&2; exit 3; }
ln -sfn "$releases/$prev" "$live.wxdev-next" && mv -Tf "$live.wxdev-next" "$live"
echo "$cur $prev"`;
}

/** Runs a command in a login shell in the live directory, so ~/.bashrc functions (workon) exist. */
export function postScript(layout: RemoteLayout, command: string): string {
  return `bash -lc ${q(`cd ${layout.live} && ${command}`)}`;
}

/** Removes a half-built release after a failure. */
export function cleanupScript(layout: RemoteLayout, release: string): string {
  return `rm -rf -- ${layout.releases}/${q(`${release}.partial`)}`;
}
