import { randomBytes } from "node:crypto";
import type { Readable } from "node:stream";
import { CheckFailedError } from "../support/errors.js";

/** A pseudo-terminal for the command (as `ssh -t`): its type and size, and how to follow the window's size. */
export interface PtyRequest {
  /** The terminal type, e.g. $TERM. */
  term: string;
  rows: number;
  cols: number;
  /** Calls `resize` whenever the local window changes; returns how to stop. */
  watchSize?: (resize: (rows: number, cols: number) => void) => () => void;
}

/**
 * What the deploy (and every remote command) needs of an SSH connection; `connect()` returns one backed by
 * node-ssh. `exec` rejects with ConnectionLostError when the connection drops.
 */
export interface RemoteShell {
  exec(
    command: string,
    options?: {
      /** Fed to the command (its end is the command's end of input); a stream is unpiped once the command ends. */
      stdin?: Readable | string;
      /** Run on a terminal: stdout and stderr then arrive together, as stdout. */
      pty?: PtyRequest;
      onStdout?: (chunk: Buffer) => void;
      onStderr?: (chunk: Buffer) => void;
      /**
       * Stop waiting this long after the command exited when its output stays open (a background child holding
       * it, `python app.py &`); the result then says `heldOpen`. Default: wait for the output to close.
       */
      graceAfterExitMs?: number;
    },
  ): Promise<{ code: number | null; signal?: string | null; stdout: string; stderr: string; heldOpen?: boolean }>;
}

/** The SSH connection dropped while a command ran; the message names the server ("connection to s8013 lost"). */
export class ConnectionLostError extends CheckFailedError {
  constructor(message: string, options: { cause?: unknown } = {}) {
    super(message, {
      hint: "check the network and that sshd still runs, then deploy again",
      code: "CONNECTION_LOST",
      cause: options.cause,
    });
  }
}

/** Quotes a string for POSIX sh. */
export function q(text: string): string {
  return `'${text.replace(/'/g, `'\\''`)}'`;
}

/** Where and how a user's command runs on the server. */
export interface RunOptions {
  /** Shell expression of the working directory (e.g. remoteLayout(...).live); default the home directory. */
  cwd?: string;
  /** A virtualenvwrapper name (under $WORKON_HOME, default ~/.virtualenvs) or a path to a virtualenv. */
  venv?: string;
  /** Shell expression of the app's env file (core/remote/app/env.ts), exported after ~/.bashrc, before the command. */
  envFile?: string;
  /** A missing `cwd` or `venv` is said and gone without (in the home folder), not a failure: a shell to make them. */
  lenient?: boolean;
  /** Shell expression of a log the command's output is appended to as it runs, then how it ended (not with pty). */
  logTo?: string;
  stdin?: Readable | string;
  /** Run on a pseudo-terminal (an interactive program): its output, stderr included, arrives as stdout. */
  pty?: PtyRequest;
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (chunk: Buffer) => void;
  /** Kill the command (with `timeout` on the server) after this long; the result's code is then 124. */
  timeoutMs?: number;
  /** Stop waiting this long after the command exited while a background child holds its output (see exec). */
  graceAfterExitMs?: number;
}

/** How a user's command ended; `missing` lists the commands bash could not find (then code is 127). */
export interface RunResult {
  code: number | null;
  signal?: string | null;
  stdout: string;
  stderr: string;
  missing: string[];
  /** The command exited, but a background child kept its output open; wxdev stopped waiting. */
  heldOpen?: boolean;
}

/** Exit status of the wrapper itself when the working directory or the virtualenv is missing. */
export const SETUP_FAILED = 196;

/** The working directory or the virtualenv named in the config is not on the server. */
export class RemoteSetupError extends CheckFailedError {}

/** What a virtualenv puts on PATH: missing, the venv was not active (nothing to install). */
const PYTHON_TOOLS = /^(python[\d.]*|pip[\d.]*|flask|gunicorn|uwsgi)$/;

/** A command (e.g. `workon`) that bash could not find: the command failed, whatever its exit status said. */
export class CommandNotFoundError extends CheckFailedError {
  constructor(readonly missing: string[]) {
    super(`${missing.join(", ")}: command not found on the server`, {
      hint: missing.includes("workon")
        ? 'set "venv" in the server config (wxdev then activates it itself), or source virtualenvwrapper in' +
          " ~/.bashrc above its interactive guard"
        : missing.some((name) => PYTHON_TOOLS.test(name))
          ? `${missing.find((name) => PYTHON_TOOLS.test(name))} comes with the app's virtualenv: set "venv" in the` +
            " server config (wxdev activates it), or start the line with workon NAME &&; Debian's own is python3"
          : "install it on the server, or fix its name in the command",
      code: "COMMAND_NOT_FOUND",
    });
  }
}

/** A venv given as a path (absolute, ~/…, relative with a slash or a leading dot), not a virtualenvwrapper name. */
const isVenvPath = (venv: string): boolean => venv.includes("/") || venv.startsWith(".");

/** A venv named relative to the working directory (e.g. ".venv"): the live release's own. */
export function venvInWorkdir(venv: string): boolean {
  return isVenvPath(venv) && !venv.startsWith("~/") && !venv.startsWith("/");
}

/**
 * Shell expression of a virtualenv's folder: a path (absolute, ~/…, relative with a slash or a leading dot)
 * or a virtualenvwrapper name.
 */
export function venvPath(venv: string): string {
  if (venv.startsWith("~/")) return `"$HOME"/${q(venv.slice(2))}`;
  // ".venv" is the project's own, not a virtualenvwrapper name.
  if (isVenvPath(venv)) return q(venv);
  return `"\${WORKON_HOME:-$HOME/.virtualenvs}"/${q(venv)}`;
}

/**
 * Exports the env file's NAME=VALUE lines (nothing in it is evaluated) and names the file in __wxdev_envf, so the
 * shell of `wxdev ssh` loads it again after its own ~/.bashrc.
 */
function loadEnv(file: string): string {
  return `export __wxdev_envf=${file}; ${LOAD_ENVF}`;
}

/** Exports each NAME=VALUE line of "$__wxdev_envf", if that file exists (one line, for wrapped and SESSION_RC). */
const LOAD_ENVF =
  'if [ -f "$__wxdev_envf" ]; then while IFS= read -r __wxdev_l || [ -n "$__wxdev_l" ]; do ' +
  'case $__wxdev_l in [A-Za-z_]*=*) export "$__wxdev_l" ;; esac; done < "$__wxdev_envf"; unset __wxdev_l; fi';

/**
 * The script an interactive bash runs after it has read ~/.bashrc. Its stderr went to the file $__wxdev_err until
 * now: bash's two job-control lines ("cannot set terminal process group", "no job control in this shell", printed
 * before any startup file, translated under other locales, hence matched by position) are dropped and the rest,
 * ~/.bashrc's own errors, replayed. The user's command runs in a subshell, so an `exit` in it prints no "exit"
 * (an interactive shell's habit) and the wrapper still sees how it ended; its own `exit` says nothing either.
 * It ends by printing `end` (END_MARK and a nonce): without it the command never ran to its end, whatever the
 * status says (a ~/.bashrc that runs `exec sh` replaces this shell before it reads the script).
 */
function wrapped(command: string, options: RunOptions, end: string): string {
  const cwd = options.cwd ?? '"$HOME"';
  const load = options.envFile === undefined ? "" : `  ${loadEnv(options.envFile)}\n`;
  const run =
    options.logTo === undefined ? `  ( eval ${q(command)} )\n  __wxdev_rc=$?` : logged(command, options.logTo);
  return `exec 2>&3 3>&-
__wxdev_n=0
while IFS= read -r __wxdev_l || [ -n "$__wxdev_l" ]; do
  __wxdev_n=$((__wxdev_n + 1))
  case $__wxdev_n:$__wxdev_l in [12]:"bash: "*) continue ;; esac
  printf '%s\\n' "$__wxdev_l"
done < "$__wxdev_err" >&2
unset __wxdev_n __wxdev_l
: > "$__wxdev_err"
unset HISTFILE
command_not_found_handle() {
  printf '%s\\n' "$1" >> "$__wxdev_err"; printf 'bash: %s: command not found\\n' "$1" >&2; return 127
}
__wxdev_rc=0
if ! cd -- ${cwd} 2>/dev/null; then
${
  options.lenient
    ? `  printf 'wxdev: no directory %s on the server yet (a deploy makes it): in your home\\n' ${cwd} >&2; cd`
    : `  printf 'wxdev: no directory %s on the server\\n' ${cwd} >&2; __wxdev_rc=${SETUP_FAILED}`
}
fi
${options.venv === undefined ? "" : activation(options.venv, options.lenient === true)}
if [ $__wxdev_rc -eq 0 ]; then
${load}${run}
  if [ -s "$__wxdev_err" ]; then sort -u "$__wxdev_err" | sed 's/^/\\x1fwxdev-missing /' >&2; __wxdev_rc=127; fi
fi
printf '%s\\n' ${q(end)} >&2; exit $__wxdev_rc 2>/dev/null`;
}

/**
 * Runs the command with its output also appended to `file` as it comes (tee), so a run cut short is in the log up
 * to where it was; then a line saying how it ended (before anything more goes to the connection, which may be
 * gone). tee is given a moment to finish, never waited for: a background child may hold its input for ever.
 */
function logged(command: string, file: string): string {
  return `  exec 4> >(tee -a -- ${file}); __wxdev_t1=$!; exec 5> >(tee -a -- ${file} >&2); __wxdev_t2=$!
  ( exec 4>&- 5>&-; eval ${q(command)} ) >&4 2>&5
  __wxdev_rc=$?
  exec 4>&- 5>&-
  for __wxdev_i in 1 2 3 4 5 6 7 8 9 10; do
    { kill -0 $__wxdev_t1 || kill -0 $__wxdev_t2; } 2>/dev/null || break; sleep 0.05
  done
  if [ -s "$__wxdev_err" ]; then __wxdev_how="$(sort -u "$__wxdev_err" | paste -sd, -): command not found"
  elif [ $__wxdev_rc -gt 128 ]; then __wxdev_how="killed by SIG$(kill -l $((__wxdev_rc - 128)))"
  else __wxdev_how="exit $__wxdev_rc"; fi
  printf -- '--- ended: %s ---\\n' "$__wxdev_how" >> ${file}`;
}

/**
 * Activates the venv unless a step before failed; a missing one fails the command (SETUP_FAILED), or, `lenient`
 * (a shell to make it in), is said and gone without.
 */
function activation(venv: string, lenient: boolean): string {
  const path = venvPath(venv);
  const make = isVenvPath(venv) ? `python3 -m venv ${venv}` : `mkvirtualenv ${venv}`;
  const missing = lenient
    ? `printf 'wxdev: no virtualenv %s on the server yet (%s makes it): going on without it\\n' ${path} ${q(make)} >&2`
    : `printf 'wxdev: no virtualenv %s on the server (no bin/activate)\\n' ${path} >&2; __wxdev_rc=${SETUP_FAILED}`;
  return `if [ $__wxdev_rc -eq 0 ]; then
  if ! [ -f ${path}/bin/activate ]; then ${missing}
  elif ! . ${path}/bin/activate; then printf 'wxdev: activating %s failed\\n' ${path} >&2; __wxdev_rc=${SETUP_FAILED}
  fi
fi`;
}

/**
 * The full command line for sshd: the user's command in bash that has read ~/.bashrc as an interactive shell
 * would (so `workon` and aliases defined below Debian's "If not running interactively … return" guard exist),
 * in `cwd`, inside `venv`. Interactive only for ~/.bashrc's sake: the command itself runs in a plain subshell.
 * The temporary file for bash's startup errors goes on every path out (a signal's too: HUP, PIPE, TERM, INT).
 * `nonce` makes the end mark (see wrapped) one the command cannot print by chance.
 */
export function runScript(command: string, options: RunOptions = {}, nonce = randomBytes(6).toString("hex")): string {
  const limit = options.timeoutMs === undefined ? "" : `timeout -k 2 ${Math.ceil(options.timeoutMs / 1000)} `;
  return (
    "__wxdev_err=$(mktemp) || exit 1; export __wxdev_err; trap 'rm -f -- \"$__wxdev_err\"' EXIT; " +
    // After a signal: the file goes, then the shell dies of that signal, so sshd still reports it.
    'for s in HUP INT PIPE TERM; do trap "rm -f -- \\"\\$__wxdev_err\\"; trap - $s EXIT; kill -$s \\$\\$" $s; done; ' +
    `${limit}bash -ic ${q(wrapped(command, options, `${END_MARK}${nonce}`))} 3>&2 2>"$__wxdev_err"`
  );
}

/** What the shell of `wxdev ssh` runs first: ~/.bashrc, then back to the folder and the venv runScript set up. */
const SESSION_RC = [
  "[ -f ~/.bashrc ] && . ~/.bashrc",
  LOAD_ENVF,
  'cd -- "$__wxdev_cwd"; unset __wxdev_cwd __wxdev_err __wxdev_envf',
  '[ -z "$VIRTUAL_ENV" ] || . "$VIRTUAL_ENV/bin/activate"',
];

/**
 * The command of `wxdev ssh` on a terminal: an interactive bash, its prompt showing the venv. It does not inherit
 * the wrapper's command-not-found trap: a typo in the session is the session's business, not a failed command.
 */
export const INTERACTIVE_SHELL = `__wxdev_cwd=$PWD bash --rcfile <(printf '%s\\n' ${SESSION_RC.map(q).join(" ")}) -i`;

/** Marks the wrapper's list of missing commands on stderr (a unit separator no one types). */
const MARK = "\x1fwxdev-missing ";
/** A terminal ends its lines with \r\n. */
const MISSING = new RegExp(`${MARK}([^\r\n]*)\r?\n?`, "g");
/** A line of wxdev's own in the output: the missing commands, the end mark, the state guard's refusal. */
// biome-ignore lint/suspicious/noControlCharactersInRegex: the unit separator is exactly what marks such a line
const OWN_LINE = /^\x1fwxdev-[^\r\n]*(\r?\n|$)/gm;
/** Starts the wrapper's last line on stderr (see wrapped). */
const END_MARK = "\x1fwxdev-end ";

/** The command never ran to its end: the shell that should have run it ended first (~/.bashrc's doing). */
export class CommandNotRunError extends CheckFailedError {
  constructor(readonly status: number | null) {
    super(`the command never ran to its end on the server: its shell ended first (status ${status ?? "none"})`, {
      hint:
        "~/.bashrc on the server ends or replaces the shell (`exec …`, `exit`), and wxdev's commands run in bash" +
        " that reads it: guard that line, e.g. [ -t 0 ] && exec zsh",
      code: "COMMAND_NOT_RUN",
    });
  }
}

/**
 * Passes output on without wxdev's own marked lines (a line starting with a unit separator), holding back a
 * line that may be one until it is complete.
 */
function withoutMarks(write: ((chunk: Buffer) => void) | undefined): {
  write?: (chunk: Buffer) => void;
  end(): void;
} {
  if (write === undefined) return { end: () => undefined };
  let held = "";
  const pass = (text: string): void => {
    const rest = text.replace(OWN_LINE, "");
    if (rest !== "") write(Buffer.from(rest));
  };
  return {
    write: (chunk) => {
      const text = held + chunk.toString("utf8");
      const open = text.lastIndexOf("\x1f");
      const whole = open >= 0 && !text.includes("\n", open) ? open : text.length;
      held = text.slice(whole);
      pass(text.slice(0, whole));
    },
    end: () => {
      pass(held);
      held = "";
    },
  };
}

/**
 * Runs a user's command on the server (see runScript) and streams its output. A `command not found` anywhere
 * in it makes the code 127 and lists the command in `missing`, even when a later part of the line succeeded.
 */
export async function run(shell: RemoteShell, command: string, options: RunOptions = {}): Promise<RunResult> {
  const nonce = randomBytes(6).toString("hex");
  // On a terminal the wrapper's stderr arrives on stdout.
  const pty = options.pty !== undefined;
  const out = withoutMarks(pty ? options.onStdout : undefined);
  const err = withoutMarks(options.onStderr);
  const result = await shell.exec(runScript(command, options, nonce), {
    stdin: options.stdin,
    ...(options.pty === undefined ? {} : { pty: options.pty }),
    onStdout: pty ? out.write : options.onStdout,
    onStderr: err.write,
    ...(options.graceAfterExitMs === undefined ? {} : { graceAfterExitMs: options.graceAfterExitMs }),
  });
  out.end();
  err.end();
  const end = `${END_MARK}${nonce}`;
  const marked = pty ? result.stdout : result.stderr;
  const ended = marked.includes(end);
  const clean = (text: string): string => text.replace(MISSING, "").replace(`${end}\r\n`, "").replace(`${end}\n`, "");
  const missing = [...marked.matchAll(MISSING)].map((match) => match[1] ?? "");
  const stdout = pty ? clean(result.stdout) : result.stdout;
  const stderr = clean(result.stderr);
  const said = pty ? stdout : stderr;
  if (result.code === SETUP_FAILED && /^wxdev: /m.test(said)) {
    const line = /^wxdev: ([^\r\n]*)/m.exec(said)?.[1] ?? "the working directory or the virtualenv is missing";
    const hint = /virtualenv/.test(line)
      ? 'make it once: wxdev ssh <server>, then mkvirtualenv NAME (or check "venv" in the server config)'
      : 'check "remoteDir" in the server config (a deploy makes it)';
    throw new RemoteSetupError(line, { hint });
  }
  const timedOut = options.timeoutMs !== undefined && result.code === 124;
  if (!ended && !timedOut && !result.signal) throw new CommandNotRunError(result.code);
  return { ...result, stdout, stderr, missing };
}

/** Like run(), but a missing command is a CommandNotFoundError rather than a result. */
export async function runChecked(shell: RemoteShell, command: string, options: RunOptions = {}): Promise<RunResult> {
  const result = await run(shell, command, options);
  if (result.code === 127 && result.missing.length > 0) throw new CommandNotFoundError(result.missing);
  return result;
}
