import { APP_EXIT, APP_LOG, APP_PID, DEPLOY_LOG, ENV_FILE, RELEASES, remoteLayout } from "../layout.js";
import { q, SETUP_FAILED } from "../shell.js";
import { guardScript } from "../state-guard.js";
import { PID_LINE, type SpareCommand, spareFragment } from "./spare.js";

/**
 * Where the managed app's state lives: beside the releases, in the hidden sibling of `remoteDir`
 * (~/tom → ~/.tom.wxdev/app.pid, app.log, deploy.log), never inside a release, so a switch or a rollback
 * keeps the pid of what runs and the log of what went wrong.
 */
export interface AppPaths {
  /** Shell expression of the state folder. */
  dir: string;
  /** Shell expression of the live directory (the app's working directory). */
  live: string;
}

/** The state folder and live directory of a server's app, as shell expressions (expanding $HOME). */
export function appPaths(remoteDir: string): AppPaths {
  const { live, state } = remoteLayout(remoteDir);
  return { live, dir: state };
}

/** The app's environment on the server (~/.wechat.wxdev/env), one NAME=VALUE a line (app/env.ts writes it). */
export { ENV_FILE };

/**
 * Where a command for the app runs (start, postDeploy, exec, ssh): in remoteDir, inside its venv, with its env file
 * exported after ~/.bashrc.
 */
export function appWhere(server: { remoteDir: string; venv?: string }): {
  cwd: string;
  venv?: string;
  envFile: string;
} {
  const paths = appPaths(server.remoteDir);
  return {
    cwd: paths.live,
    ...(server.venv === undefined ? {} : { venv: server.venv }),
    envFile: `${paths.dir}/${ENV_FILE}`,
  };
}

/** The layout the guard checks for these paths (the releases folder is the state folder's). */
function guard(paths: AppPaths, create: boolean): string {
  return guardScript({ live: paths.live, state: paths.dir, releases: `${paths.dir}/${RELEASES}` }, { create });
}

/** The log is moved to app.log.1 at a start once it is over this size, so it never grows without bound. */
export const LOG_LIMIT_BYTES = 1024 * 1024;

/** Marks where each start's output begins in app.log, so a failure's tail is this start's alone. */
export const START_MARK = "--- wxdev start";

/**
 * Shell functions every app script starts with, after the guard (which makes the state folder with `create`).
 * app.pid holds "PID START": the pid of the app's session leader and its start time (/proc/PID/stat, clock ticks
 * since boot), written by the launcher itself. `judge LINE` sets $pid and $verdict: "ours" only for a process of
 * this account, started at that very time (so not a reused pid; a file an older wxdev wrote has no time), leading
 * its own session; "gone" when no such process runs; otherwise the reason it is not ours, and then it is never
 * signalled (nor pid 1, nor a group wxdev did not make). `alive`: a process of the group runs, zombies aside (a
 * container without an init may never reap them); `running`: the same for one process (its leader); `listening`: the
 * port accepts; `nap` sleeps (a read that times out on a pipe nobody writes); `proc_stat PID` sets $f to the fields
 * of /proc/PID/stat after "PID (COMM) " (the state first, the session 4th, the start time 20th). None of them starts
 * a process.
 */
function prelude(paths: AppPaths, create: boolean): string {
  return `${guard(paths, create)}
state=${paths.dir}; pidf="$state/${APP_PID}"; log="$state/${APP_LOG}"
alive() {
  kill -0 -- "-$1" 2>/dev/null || return 1
  local f l; for f in /proc/[1-9]*/stat; do
    { read -r l < "$f"; } 2>/dev/null && [[ \${l##*) } =~ ^[^Z]\\ [0-9]+\\ $1\\  ]] && return 0
  done; return 1
}
proc_stat() { f=(); local l; { read -r l < "/proc/$1/stat"; } 2>/dev/null || return 1; f=(\${l##*) }); }
judge() {
  pid=\${1%% *}; verdict=gone
  [ -n "$1" ] || return 0
  case $pid in '' | *[!0-9]*) verdict="no process id"; pid=?; return ;; esac
  if [ "$pid" -le 1 ]; then verdict="never an app's pid"; return; fi
  local -a f; proc_stat "$pid" || return 0
  if [ ! -O "/proc/$pid" ]; then verdict="uid $(stat -c %u "/proc/$pid" 2>/dev/null), another account"; return; fi
  case $1 in *' '*) at=\${1#* } ;; *) at= ;; esac
  if [ -n "$at" ] && [ "\${f[19]}" != "$at" ]; then verdict="started at another time: a reused pid"; return; fi
  if [ "\${f[3]}" != "$pid" ]; then verdict="it leads no session"; return; fi
  [ "\${f[0]}" != Z ] || alive "$pid" && verdict=ours || verdict=gone
}
listening() { : 6<>"/dev/tcp/127.0.0.1/$1"; } 2>/dev/null
running() { local -a f; proc_stat "$1" && [ "\${f[0]}" != Z ]; }
exec 9<> <(:)
nap() { read -r -t "$1" -u 9 _ || :; }
line=; { read -r line < "$pidf"; } 2>/dev/null || :; judge "$line"`;
}

/**
 * Stops the instance wxdev started (after prelude's judge): SIGTERM to its whole process group (a Flask
 * reloader's child too), up to 5 s to go, then SIGKILL. Never by a name pattern. Prints "stopped PID" (or
 * "killed PID"), or "foreign PID REASON" for a pid file that does not name wxdev's app (then nothing is signalled).
 * The pid file goes either way.
 */
function stopFragment(): string {
  return `if [ "$verdict" = ours ]; then
  kill -TERM -- "-$pid" 2>/dev/null || true
  i=0; while { running "$pid" || alive "$pid"; } && [ $i -lt 1000 ]; do nap 0.005; i=$((i+1)); done
  if [ $i -ge 1000 ] && alive "$pid"; then kill -KILL -- "-$pid" 2>/dev/null || true; echo "killed $pid"
  else echo "stopped $pid"; fi
elif [ "$verdict" != gone ]; then echo "foreign $pid $verdict"
fi
rm -f -- "$pidf"`;
}

/** Stops the app (see stopFragment), and a warm spare waiting for its next start (spare.ts). */
export function stopScript(paths: AppPaths): string {
  return `${prelude(paths, false)}\n${spareFragment(undefined)}\n${stopFragment()}\nspare_stop`;
}

/** Prints this start's log lines (from the last start mark), at most `lines`. */
function tailFragment(lines: number): string {
  const program = `index($0, "${START_MARK} ")==1 {c=0} {b[c++]=$0} END {for (i=(c>n?c-n:0); i<c; i++) print b[i]}`;
  return `awk -v n=${lines} '${program}' "$log"`;
}

/**
 * The app's own session: before it becomes `command` its launcher writes "PID START" to the pid file (noclobber:
 * never over a file or through a link another start left), so the pid file names exactly this process.
 */
function detached(command: string): string {
  const launcher = `'set -C; ${PID_LINE} > "$1" || exit 70; exec bash -c "$0"'`;
  return `setsid bash -c ${launcher} ${q(command)} "$pidf" < /dev/null >> "$log" 2>&1 9>&- &`;
}

/**
 * Waits for "go" on stdin (its end without it: exit, starting nothing), then enters the live directory again: the
 * shell entered it before the switch, when the link still led to the release before.
 */
function goFragment(paths: AppPaths): string {
  return `IFS= read -r wx_go || :; [ "$wx_go" = go ] || exit 0
cd -- ${paths.live} || { printf 'wxdev: no directory %s on the server\\n' ${paths.live} >&2; exit ${SETUP_FAILED}; }
`;
}

/**
 * Stops the old instance, then (printing "release ID", the live release's folder name) starts `command`
 * detached from the SSH session: its own session (setsid), stdin from /dev/null, stdout and stderr appended
 * to app.log (PYTHONUNBUFFERED, so print() shows up at once). Waits on
 * the server for `port` to accept connections, polling every 5 ms. Prints one of "up PID", "exited PID CODE",
 * "timeout PID" or "busy" (the port answers though our app is stopped: another process holds it), then, on
 * failure, a "\x1etail" line and this start's last 20 log lines. With `spare` (the command is one a spare can
 * run), a warm spare waiting from the last start becomes the app instead of a new Python (printing "warm"), and
 * once the app is up a spare is started for the next start (spare.ts). `waitForGo`: see goFragment.
 */
export function startScript(
  paths: AppPaths,
  options: { command: string; port?: number; waitMs: number; spare?: SpareCommand; waitForGo?: boolean },
): string {
  const ticks = Math.max(1, Math.ceil(options.waitMs / 5));
  // Without a port, "up" means still running after a second.
  const ready = options.port === undefined ? `[ $i -ge 200 ]` : `listening ${options.port}`;
  return `${options.waitForGo ? goFragment(paths) : ""}${prelude(paths, true)}
${spareFragment(options.spare)}
${stopFragment()}
${options.port === undefined ? "" : `if listening ${options.port}; then echo busy; exit 0; fi`}
if [ -f "$log" ] && [ "$(stat -c %s -- "$log")" -gt ${LOG_LIMIT_BYTES} ]; then mv -f -- "$log" "$log.1"; fi
release=plain
if [ -L ${paths.live} ] && cd -P -- ${paths.live} 2>/dev/null; then release=\${PWD##*/}; cd -- "$OLDPWD"; fi
echo "release $release"
TZ=UTC0 printf '%s %(%Y-%m-%dT%H:%M:%SZ)T release %s ---\\n' '${START_MARK}' -1 "$release" >> "$log"
export PYTHONUNBUFFERED=1
bg=
if spare_wake; then echo warm; else
${detached(options.command)}
bg=$!
fi
i=0
while :; do
  pid=; { read -r pid _ < "$pidf"; } 2>/dev/null || :
  # Until the launcher has written its pid (setsid may not even have run), ask the child, not its session.
  if [ -z "$pid" ]; then
    pid=$bg
    if ! kill -0 "$bg" 2>/dev/null; then wait "$bg"; echo "exited $pid $?"; break; fi
  elif ! running "$pid" && ! alive "$pid"; then
    # A spare that became the app is no child of this script: it wrote its status into app.exit.
    if [ -n "$bg" ]; then wait "$bg"; code=$?; else code=$(sed -n "s/^$pid //p" "$state/${APP_EXIT}" 2>/dev/null); fi
    echo "exited $pid $code"; break
  fi
  if ${ready}; then echo "up $pid"; spare_launch; exit 0; fi
  if [ $i -ge ${ticks} ]; then echo "timeout $pid"; break; fi
  nap 0.005; i=$((i+1))
done
printf '\\036tail\\n'
${tailFragment(20)}`;
}

/**
 * A shell function: `holder_of PORT` sets $line to "holder PID START CWD" for the process of this account that
 * listens on PORT (ss shows an account only its own processes), or to nothing: what answers there, whoever started
 * it. START as judge's. sshd holding it is a tunnel's forward (wxdev tunnel, ssh -R), not an app. The folder of a
 * process seen before (same pid, same start) is not read again: a wait that polls starts one process a round (ss).
 */
const HOLDER_OF = `holder_of() {
  line=; local h= comm= key; local -a f
  [[ $(ss -tlnp "sport = :$1" 2>/dev/null) =~ pid=([0-9]+) ]] && h=\${BASH_REMATCH[1]} || return 0
  { read -r comm < "/proc/$h/comm"; } 2>/dev/null || :
  [ "$comm" != sshd ] || return 0
  proc_stat "$h" || :; key="$h \${f[19]}"
  [ "$key" = "\${holder_seen-}" ] || { holder_seen=$key; holder_cwd=$(readlink "/proc/$h/cwd"); }
  line="holder $key $holder_cwd"
}`;

/**
 * Reads the app's state in one round trip, one "key value" line each: pid (from the pid file, if that process
 * is still ours; "foreign PID REASON" when it names something else), uptime in seconds, cwd (its working
 * directory: the release it serves, whatever the live link says now), port (1 if it accepts connections), holder
 * (holder_of), live (where the live link points, or "plain"/"none"), since (when the link was made, epoch s),
 * and the resolved paths of the releases folder and the live directory, to tell a release from a working directory.
 */
export function statusScript(paths: AppPaths, port: number | undefined): string {
  return `${prelude(paths, false)}
if [ "$verdict" = ours ]; then echo "pid $pid"
  # Its start (clock ticks since boot, USER_HZ: 100 on Linux) against the seconds since boot.
  proc_stat "$pid" || :; read -r up _ < /proc/uptime
  echo "uptime $(( \${up%.*} - \${f[19]:-0} / 100 ))"
  echo "cwd $(readlink "/proc/$pid/cwd")"
elif [ "$verdict" != gone ]; then echo "foreign $pid $verdict"; fi
${
  port === undefined
    ? ""
    : `if listening ${port}; then echo "port 1"; else echo "port 0"; fi
${HOLDER_OF}
holder_of ${port}; [ -z "$line" ] || echo "$line"`
}
live=${paths.live}
echo "releases $(cd -P -- "$state/${RELEASES}" 2>/dev/null && pwd)"
if [ -L "$live" ]; then echo "live $(readlink -- "$live")"; echo "since $(stat -c %Y -- "$live")"
elif [ -d "$live" ]; then echo "live plain"; echo "plain $(cd -P -- "$live" && pwd)"; else echo "live none"; fi`;
}

/**
 * Waits (polling, up to `waitMs`) for a process of this account started at or after `since` (clock ticks
 * since boot, as /proc/PID/stat counts them) to listen on `port`: an app a post-deploy command restarted by hand.
 * Prints "fresh PID START CWD" when one does; else, at the end, "stale PID START CWD" (an older process still
 * holds the port), "foreign" (something this account cannot see holds it) or "none"; then "releases DIR" and, for a
 * plain remoteDir, "plain DIR", to tell which release a working directory is in.
 */
export function waitForRestartScript(
  paths: AppPaths,
  options: { port: number; since: number; waitMs: number },
): string {
  // By the clock, not by rounds: ss reads every process's descriptors, which takes a while on a busy server.
  return `${prelude(paths, false)}
${HOLDER_OF}
clock() {
  if [ -n "\${EPOCHREALTIME-}" ]; then now=\${EPOCHREALTIME/[.,]/}; now=$((now / 1000)); else now=$(date +%s%3N); fi
}
found=; clock; until=$((now + ${options.waitMs}))
while :; do
  line=; asked=; if listening ${options.port}; then holder_of ${options.port}; asked=1; fi
  rest=\${line#holder }; at=\${rest#* }; at=\${at%% *}
  if [ -n "$line" ] && [ -n "$at" ] && [ "$at" -ge ${options.since} ]; then found="fresh $rest"; break; fi
  [ -z "$line" ] || found="stale $rest"
  clock; [ "$now" -lt "$until" ] || break
  # While the port answers, each round asks ss (every process's descriptors read): four times a second, not twenty.
  if [ -n "$asked" ]; then nap 0.25; else nap 0.05; fi
done
if [ -n "$found" ]; then echo "$found"; elif listening ${options.port}; then echo foreign; else echo none; fi
echo "releases $(cd -P -- "$state/${RELEASES}" 2>/dev/null && pwd)"
live=${paths.live}; if [ -d "$live" ] && [ ! -L "$live" ]; then echo "plain $(cd -P -- "$live" && pwd)"; fi`;
}

/** The last `lines` lines of the app's log (or of deploy.log, the deploy's own post-step output); `follow`: tail -F. */
export function logScript(
  paths: AppPaths,
  options: { lines: number; follow?: boolean; file?: "app" | "deploy" },
): string {
  const file = `"$state"/${options.file === "deploy" ? DEPLOY_LOG : APP_LOG}`;
  return `${guard(paths, false)}
state=${paths.dir}
${
  options.follow
    ? `exec tail -n ${options.lines} -F --pid="$PPID" -- ${file} 2>/dev/null`
    : `[ -f ${file} ] || exit ${NO_LOG}
tail -n ${options.lines} -- ${file} 2>/dev/null || true`
}`;
}

/** Exit status of logScript (without follow) when the log does not exist. */
export const NO_LOG = 3;
