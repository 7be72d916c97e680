import { CheckFailedError } from "../support/errors.js";
import {
  APP_EXIT,
  APP_LOG,
  APP_PID,
  DEPLOY_LOG,
  ENV_FILE,
  HISTORY,
  LOCK,
  RELEASES,
  type RemoteLayout,
  rotated,
  WARM_BACK,
  WARM_DOOR,
  WARM_PID,
} from "./layout.js";
import type { RemoteShell } from "./shell.js";

/** What in the state folder must not be a symbolic link (a link there could point a write anywhere). */
const GUARDED = [
  RELEASES,
  `${RELEASES}/${LOCK}`,
  `${RELEASES}/${HISTORY}`,
  APP_PID,
  APP_LOG,
  rotated(APP_LOG),
  DEPLOY_LOG,
  rotated(DEPLOY_LOG),
  ENV_FILE,
  WARM_PID,
  WARM_DOOR,
  WARM_BACK,
  APP_EXIT,
];

/** Exit status of a script that refused the server's state folder or live path. */
export const UNSAFE_STATE = 197;

/** Starts the refusal's line on stderr (a unit separator no one types). */
export const UNSAFE_MARK = "\x1fwxdev-unsafe ";

/** The state folder or the live path on the server is not the account's alone: wxdev refused to use it. */
export class UnsafeStateError extends CheckFailedError {
  constructor(reason: string) {
    const writable = /^(.*) is writable by other accounts$/.exec(reason)?.[1];
    super(`refusing the server's folder: ${reason}`, {
      hint:
        "wxdev keeps the releases, the pid file and the logs there, so they must be your account's alone: " +
        (writable === undefined
          ? 'point remoteDir at a folder in your home (e.g. "~/wechat")'
          : `chmod go-w ${writable} (once you know nobody changed what is in it), or point remoteDir at a folder` +
            ' in your home (e.g. "~/wechat")'),
      code: "UNSAFE_REMOTE_DIR",
    });
  }
}

/**
 * Shell lines (POSIX sh) that every script touching the state folder or the live path starts with; they set
 * umask 077 and exit UNSAFE_STATE, naming the problem, unless:
 * - every directory from / to the live path's parent (as written and as resolved) belongs to root or this account
 *   and is writable by no one else, unless sticky (/tmp: others may add names there, never move or remove ours);
 * - the live path, if it exists, belongs to this account;
 * - the state folder is this account's, no link, writable by no one else (an older one is tightened to 0700);
 * - the files wxdev opens in it are no links, so a write never goes through one.
 * `create`: make the parent (0700 from the umask) and the state folder (mkdir -m 700, which fails on a name another
 * account took first) when missing; without it a script that only reads checks what exists and makes nothing.
 */
export function guardScript(layout: RemoteLayout, options: { create: boolean }): string {
  const make = options.create
    ? `[ -d "$wx_parent" ] || mkdir -p -- "$wx_parent" || exit 1
[ -L "$wx_state" ] || [ -e "$wx_state" ] || mkdir -m 700 -- "$wx_state" 2>/dev/null || true`
    : "";
  // One stat for every folder on the way, the live path and the state folder; bash judges its lines.
  return `umask 077
wx_live=${layout.live}; wx_state=${layout.state}
wx_refuse() { printf '\\037wxdev-unsafe %s\\n' "$*" >&2; exit ${UNSAFE_STATE}; }
wx_uid=\${EUID:-$(id -u)}
wx_parent=\${wx_live%/*}; [ -n "$wx_parent" ] || wx_parent=/
${make}
set --
if [ -d "$wx_parent" ]; then
  wx_here=$PWD
  cd -P -- "$wx_parent" 2>/dev/null || wx_refuse "cannot resolve $wx_parent"
  wx_real=$PWD; cd -- "$wx_here" 2>/dev/null || cd
  wx_p=$wx_parent; while [ -n "$wx_p" ]; do set -- "$@" "$wx_p"; wx_p=\${wx_p%/*}; done
  wx_p=$wx_real; while [ -n "$wx_p" ]; do set -- "$@" "$wx_p"; wx_p=\${wx_p%/*}; done
fi
wx_n=$#; wx_l=0
if [ -L "$wx_live" ] || [ -e "$wx_live" ]; then set -- "$@" "$wx_live"; wx_l=$#; fi
if [ -L "$wx_state" ] || [ -e "$wx_state" ]; then
  [ -d "$wx_state" ] && [ ! -L "$wx_state" ] || wx_refuse "$wx_state is not a folder (or is a symbolic link)"
  set -- "$@" "$wx_state"
fi
if [ $# -gt 0 ]; then
  wx_out=$(stat -c '%u %a %F' -- "$@") || wx_refuse "cannot read $*"
  wx_i=0
  while IFS=' ' read -r wx_u wx_a wx_f; do
    wx_i=$((wx_i + 1))
    if [ $wx_i -le $wx_n ]; then
      eval "wx_at=\\\${$wx_i}"
      [ "$wx_u" = 0 ] || [ "$wx_u" = "$wx_uid" ] || wx_refuse "$wx_at belongs to another account (uid $wx_u)"
      case $wx_f/$wx_a in
        symbolic*) ;;
        */[1357]???) ;;
        */*[2367]? | */*[2367]) wx_refuse "$wx_at is writable by other accounts" ;;
      esac
    elif [ $wx_i = $wx_l ]; then
      [ "$wx_u" = "$wx_uid" ] || wx_refuse "$wx_live belongs to another account (uid $wx_u)"
    else
      [ "$wx_u" = "$wx_uid" ] || wx_refuse "$wx_state belongs to another account (uid $wx_u)"
      case $wx_a in
        *[2367]? | *[2367]) wx_refuse "$wx_state is writable by other accounts" ;;
        700) ;;
        *) chmod 700 -- "$wx_state" ;;
      esac
    fi
  done <<WX_STAT
$wx_out
WX_STAT
fi
if [ -d "$wx_state" ]; then
  for wx_f in ${GUARDED.join(" ")}; do
    [ ! -L "$wx_state/$wx_f" ] || wx_refuse "$wx_state/$wx_f is a symbolic link"
  done
  [ ! -e "$wx_state/${RELEASES}" ] || [ -d "$wx_state/${RELEASES}" ] ||
    wx_refuse "$wx_state/${RELEASES} is not a folder"
fi`;
}

/** Throws UnsafeStateError when a script's result is the guard's refusal. */
export function refuseUnsafe(result: { code: number | null; stderr: string }): void {
  if (result.code !== UNSAFE_STATE) return;
  const at = result.stderr.indexOf(UNSAFE_MARK);
  if (at < 0) return;
  throw new UnsafeStateError(result.stderr.slice(at + UNSAFE_MARK.length).split("\n")[0] ?? "");
}

/** A shell whose every command that the guard refused rejects with UnsafeStateError. */
export function guardedShell(shell: RemoteShell): RemoteShell {
  return {
    exec: async (command, options) => {
      const result = await shell.exec(command, options);
      refuseUnsafe(result);
      return result;
    },
  };
}
