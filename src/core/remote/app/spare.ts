import { APP_EXIT, APP_PID, WARM_BACK, WARM_DOOR, WARM_PID } from "../layout.js";
import { q } from "../shell.js";

/** A start command a warm spare can take over: `python[3[.N]] SCRIPT.py [ARGS]`, plain words only. */
export interface SpareCommand {
  python: string;
  script: string;
  args: string[];
}

/** The command as a spare runs it, or undefined when it is anything else (gunicorn, `flask run`, a pipe…). */
export function spareCommand(start: string): SpareCommand | undefined {
  const words = start.trim().split(/\s+/);
  const [python = "", script = "", ...args] = words;
  if (!/^python(3(\.\d+)?)?$/.test(python) || !/^[\w./-]+\.py$/.test(script)) return undefined;
  return args.every((arg) => /^[\w./=:,@%+-]+$/.test(arg)) ? { python, script, args } : undefined;
}

/** How long a spare waits for the next start before it leaves. */
export const SPARE_IDLE_SECONDS = 900;

/**
 * The spare: a Python started after the app came up, which imports what the entry script imports from outside the
 * project (the venv's and Python's own modules; never the project's, which the next release changes), then waits
 * on the state folder's fifo. A start sends "go", the command line, its umask, and its environment (`env -0`, ended
 * by an empty entry). With the same command, the same PATH (so the same interpreter), the same PYTHON* variables and no
 * change in the folders it imported from (a pip install), it becomes the app: writes the pid file as the launcher
 * does, takes the start's umask and environment, moves to the live directory (the new release), sends its output
 * to app.log, answers "ok PID" on the reply fifo and runs the script as `python SCRIPT` would (argv, sys.path[0],
 * __main__, a traceback without its own frames); at its end it writes "PID STATUS" to app.exit for the start that
 * waits on it (it is no child of that script). Otherwise it answers "no PID" and leaves; unused for
 * SPARE_IDLE_SECONDS, it leaves too.
 */
const SPARE_PY = `import ast, importlib.util, os, runpy, select, sys, time
state, live, log, path, line, script, *args = sys.argv[1:]
door, back = os.path.join(state, "${WARM_DOOR}"), os.path.join(state, "${WARM_BACK}")
reader = os.open(door, os.O_RDONLY | os.O_NONBLOCK)
keep = os.open(door, os.O_WRONLY)
roots = tuple(os.path.realpath(p) + os.sep for p in (state, os.getcwd()))
def local(path):
    return isinstance(path, str) and os.path.isabs(path) and (os.path.realpath(path) + os.sep).startswith(roots)
search = [p for p in sys.path if p and not local(p)]
kept = sys.path[:]
sys.path[:] = search
try:
    with open(script, "rb") as source:
        body = ast.parse(source.read()).body
except BaseException:
    body = []
for node in body:
    names = [a.name for a in node.names] if isinstance(node, ast.Import) else []
    if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
        names = [node.module]
    for name in names:
        try:
            spec = importlib.util.find_spec(name.split(".")[0])
            where = [spec.origin, *(spec.submodule_search_locations or [])] if spec else []
            if spec and not any(local(p) for p in where):
                __import__(name)
        except BaseException:
            pass
sys.path[:] = kept
def stamps():
    return [os.stat(p).st_mtime_ns if os.path.isdir(p) else 0 for p in search]
before = stamps()
ours = {k: v for k, v in os.environ.items() if k.startswith("PYTHON")}
end = time.monotonic() + ${SPARE_IDLE_SECONDS}
data = b""
while not data.endswith(b"\\0\\0"):
    left = end - time.monotonic()
    if left <= 0 or not select.select([reader], [], [], left)[0]:
        sys.exit(0)
    data += os.read(reader, 65536)
os.close(reader)
os.close(keep)
word, sent, mask, env = data.split(b"\\n", 3)
env = dict(v.split("=", 1) for v in env[:-2].decode(errors="surrogateescape").split("\\0") if "=" in v)
env.pop("_", None)
def answer(text):
    try:
        fd = os.open(back, os.O_WRONLY | os.O_NONBLOCK)
        os.write(fd, f"{text} {os.getpid()}\\n".encode())
        os.close(fd)
    except OSError:
        pass
if (word, sent.decode()) != (b"go", line) or stamps() != before \\
        or {k: v for k, v in env.items() if k.startswith("PYTHON")} != ours \\
        or env.get("PATH") != path:
    answer("no")
    sys.exit(0)
with open("/proc/self/stat") as stat:
    ticks = stat.read().rsplit(") ", 1)[1].split()[19]
os.umask(int(mask, 8))
try:
    pid = os.open(os.path.join(state, "${APP_PID}"), os.O_WRONLY | os.O_CREAT | os.O_EXCL | os.O_NOFOLLOW, 0o666)
except OSError:
    answer("no")
    sys.exit(70)
os.write(pid, f"{os.getpid()} {ticks}\\n".encode())
os.close(pid)
out = os.open(log, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o666)
os.dup2(out, 1)
os.dup2(out, 2)
os.close(out)
os.environ.clear()
os.environ.update(env)
os.chdir(live)
sys.argv[:] = [script, *args]
sys.path[0] = os.path.dirname(os.path.realpath(script))
def own(frame):
    return frame.f_code.co_filename == "<string>" or frame.f_globals.get("__name__") == "runpy"
def hook(kind, value, tb):
    while tb is not None and own(tb.tb_frame):
        tb = tb.tb_next
    sys.__excepthook__(kind, value.with_traceback(tb), tb)
sys.excepthook = hook
answer("ok")
code = 1
try:
    runpy.run_path(os.path.abspath(script), run_name="__main__")
    code = 0
except SystemExit as end:
    code = end.code & 255 if isinstance(end.code, int) else int(end.code is not None)
    raise
except KeyboardInterrupt:
    code = 130
    raise
finally:
    with open(os.path.join(state, "${APP_EXIT}"), "w") as status:
        status.write(f"{os.getpid()} {code}\\n")
`;

/**
 * What a launcher (a bash inside single quotes) prints into the pid file just before it execs the app: its pid and
 * its start time, as judge reads them (/proc/PID/stat, the 20th field after "PID (COMM) ").
 */
export const PID_LINE = `read -r s < /proc/$$/stat; f=(\${s##*) }); printf "%s %s\\n" "$$" "\${f[19]}"`;

/**
 * Shell functions for the app scripts (after prelude): spare_stop ends a waiting spare; spare_wake hands the start
 * to it (true once it answered "ok": it is the app now); spare_launch starts one for the next start. $warmf holds
 * the spare's "PID START" line (judged as the app's), $door and $back are its fifos.
 */
export function spareFragment(spare: SpareCommand | undefined): string {
  const common = `warmf="$state/${WARM_PID}"; door="$state/${WARM_DOOR}"; back="$state/${WARM_BACK}"
spare_kill() { if [ "$verdict" = ours ]; then kill -KILL -- "-$pid" 2>/dev/null || true; fi; }
spare_judge() { local line=; { read -r line < "$warmf"; } 2>/dev/null || :; rm -f -- "$warmf"; judge "$line"; }
spare_stop() { spare_judge; spare_kill; }`;
  if (spare === undefined) return `${common}\nspare_wake() { spare_stop; return 1; }\nspare_launch() { :; }`;
  const line = [spare.python, spare.script, ...spare.args].join(" ");
  const launcher = `'set -C; ${PID_LINE} > "$1" || exit 70; shift; exec "$@"'`;
  return `${common}
spare_wake() {
  spare_judge
  [ "$verdict" = ours ] && [ -p "$door" ] && [ -p "$back" ] || { spare_kill; return 1; }
  spare=$pid; answer=
  # Both held open until the spare answers: one still starting has not opened its ends yet.
  exec 8<>"$door" 7<>"$back"
  { printf 'go\\n%s\\n' ${q(line)}; umask; env -0; printf '\\0'; } >&8
  while read -r -t 5 -u 7 answer; do case $answer in "ok $spare" | "no $spare") break ;; esac; done
  exec 8>&- 7>&-
  [ "$answer" = "ok $spare" ] && return 0
  kill -KILL -- "-$spare" 2>/dev/null || true; return 1
}
spare_launch() {
  for f in "$door" "$back"; do [ -p "$f" ] || { rm -f -- "$f" && mkfifo -m 600 -- "$f"; } || return 0; done
  setsid bash -c ${launcher} _ "$warmf" ${q(spare.python)} -c ${q(SPARE_PY)} "$state" "$PWD" "$log" \\
"$PATH" ${q(line)} ${[spare.script, ...spare.args].map(q).join(" ")} < /dev/null > /dev/null 2>&1 9>&- &
}`;
}
