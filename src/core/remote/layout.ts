import { q } from "./shell.js";

/**
 * Where things live on the server, every path in one place. The live `remoteDir` (e.g. ~/tom) becomes a symlink to
 * the current release under a hidden sibling, ~/.tom.wxdev/releases/<id>; switching a release is one rename(2) of a
 * new link over the old one, so it is atomic. Next to the releases, an append-only `history` records every switch
 * ("time id previous reason"), so a rollback goes back to what was live before, not to whatever sorts before by
 * name. The managed app's pid file and logs sit in the hidden sibling too, never inside a release, so a switch or a
 * rollback keeps the pid of what runs and the log of what went wrong.
 */
export interface RemoteLayout {
  /** Shell expression of the live directory (expands $HOME). */
  live: string;
  /** Shell expression of the releases directory. */
  releases: string;
  /** Shell expression of the hidden sibling that holds the releases and the app's pid file and logs. */
  state: string;
}

/** The releases folder's name inside the state folder. */
export const RELEASES = "releases";

/** Inside each release: wxdev's own folder, and the record of the release's files in it. */
export const RELEASE_META = ".wxdev";
export const MANIFEST = `${RELEASE_META}/manifest.json`;

/** A release being built is `<id>.partial` until the switch renames it to `<id>`. */
export const PARTIAL = ".partial";

/** The new live link is made as `<live>.wxdev-next`, then renamed over the live path. */
export const NEXT_LINK = ".wxdev-next";

/** In the releases folder: the deploy lock (flock) and the switch history. */
export const LOCK = ".lock";
export const HISTORY = "history";

/** In the state folder: the app's pid file and log, the deploy's post-step log, the app's environment. */
export const APP_PID = "app.pid";
export const APP_LOG = "app.log";
export const DEPLOY_LOG = "deploy.log";
export const ENV_FILE = "env";

/** In the state folder: a warm spare's "PID START" line, its two fifos (in, answers) and the app's exit status. */
export const WARM_PID = "warm.pid";
export const WARM_DOOR = "warm.fifo";
export const WARM_BACK = "warm.back";
export const APP_EXIT = "app.exit";

/** In the state folder: the marker naming the sshd process that holds a tunnel's forward of `port`. */
export const tunnelMarker = (port: number): string => `tunnel-${port}.pid`;

/** What a log is rotated to once it is over its cap. */
export const rotated = (log: string): string => `${log}.1`;

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
    releases: expr(`${parent}.${name}.wxdev/${RELEASES}`),
    state: expr(`${parent}.${name}.wxdev`),
  };
}

/** The live release's manifest as a user reads its path (`~/tom/.wxdev/manifest.json`), for a message. */
export function manifestPath(remoteDir: string): string {
  return `${remoteDir.replace(/\/+$/, "")}/${MANIFEST}`;
}
