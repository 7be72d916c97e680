import { PassThrough } from "node:stream";
import type { ServerConfig } from "../../config/file.js";
import { CheckFailedError, InputError } from "../../support/errors.js";
import { appPaths, appWhere, logScript, NO_LOG, startScript, statusScript, stopScript } from "./scripts.js";
import { refuseUnsafe } from "../state-guard.js";
import { spareCommand } from "./spare.js";
import { q, type RemoteShell, type RunResult, runChecked } from "../shell.js";

/** The managed app did not come up: it exited, never opened its port, or the port was someone else's. */
export class AppStartError extends CheckFailedError {
  constructor(
    message: string,
    hint: string,
    readonly reason: "exited" | "timeout" | "busy",
    /** This start's last log lines (at most 20). */
    readonly logTail: string[],
    /** The release it tried to start. */
    readonly release?: string,
  ) {
    super(message, { hint, code: "APP_NOT_STARTED" });
  }
}

/** What startApp did. */
export interface StartResult {
  pid: number;
  /** The pid of the instance stopped first, if one ran. */
  stopped?: number;
  release: string;
  seconds: number;
  /** A warm spare became the app (spare.ts), instead of a new Python. */
  warm?: true;
}

/** The app's state on the server. */
export interface AppStatus {
  running: boolean;
  pid?: number;
  uptimeSeconds?: number;
  port?: number;
  listening?: boolean;
  /** The live release's id (its folder's name), "plain" for a directory wxdev did not deploy, or undefined. */
  release?: string;
  /** When that release went live. */
  liveSince?: Date;
  /** The pid file names a process that is not the app wxdev started (never signalled): which, and why not. */
  foreign?: ForeignPid;
  /**
   * What runs: the app wxdev started, else the process of this account listening on the port (an app a
   * postDeploy started by hand), with the release it serves (its working directory, whatever the live link says).
   */
  serving?: Serving;
}

/** A process serving the app, and the release it runs from. */
export interface Serving {
  pid: number;
  /** The release folder it runs in ("plain" for a plain remoteDir), undefined when it runs elsewhere (`path`). */
  release?: string;
  /** Its working directory on the server. */
  path: string;
  /** That folder was removed since (an old release pruned): it serves files that are gone. */
  deleted?: true;
  /** Started by wxdev (its pid file) rather than by hand. */
  managed: boolean;
  /** When it started, in clock ticks since boot (as /proc/PID/stat says), to tell a restart from an old process. */
  startedTicks?: number;
}

/** The release a working directory is in: the first folder under the releases folder, or "plain". */
export function releaseOfPath(
  path: string,
  where: { releases?: string; plain?: string },
): Pick<Serving, "release" | "deleted"> {
  const deleted = path.endsWith(" (deleted)");
  const bare = deleted ? path.slice(0, -" (deleted)".length) : path;
  const gone = deleted ? { deleted: true as const } : {};
  if (where.releases && bare.startsWith(`${where.releases}/`))
    return { release: bare.slice(where.releases.length + 1).split("/")[0], ...gone };
  if (where.plain && (bare === where.plain || bare.startsWith(`${where.plain}/`))) return { release: "plain", ...gone };
  return gone;
}

/** A pid file's process that wxdev refused as not its app. */
export interface ForeignPid {
  pid: string;
  reason: string;
}

/** `stop` found a pid file naming a process that is not the app wxdev started: it signalled nothing. */
export class ForeignPidError extends CheckFailedError {
  constructor(
    readonly foreign: ForeignPid,
    name: string | undefined,
    port: number | undefined,
  ) {
    super(
      `app.pid names pid ${foreign.pid}, which is not the app wxdev started (${foreign.reason}): nothing was stopped`,
      {
        hint: `wxdev removed that pid file; if the app still runs, ${stopByPid(name, port)}`,
        code: "PID_NOT_OURS",
      },
    );
  }
}

/** "foreign PID REASON" in a script's output, if any. */
function foreignIn(stdout: string): ForeignPid | undefined {
  const match = /^foreign (\S+) (.*)$/m.exec(stdout);
  return match === null ? undefined : { pid: match[1] ?? "", reason: match[2] ?? "" };
}

/** The parts of a server's config the app needs, with its port resolved (appPortOf). */
export interface AppTarget {
  server: ServerConfig;
  port?: number;
  /** The server's name in the config, for the commands a hint names (`wxdev logs s8013`). */
  name?: string;
}

/**
 * How to stop a process wxdev did not start that holds `port`: by its pid, never by a name pattern (`pkill -f
 * 'python wechat.py'` run through `wxdev exec` also kills the shell whose command line holds the pattern).
 */
export function stopByPid(name: string | undefined, port: number | undefined): string {
  const on =
    name === undefined
      ? (command: string) => `${command} on the server`
      : (command: string) => `wxdev exec ${name} -- ${command}`;
  return `find its pid with ${on(`ss -ltnp 'sport = :${port}'`)} and stop it with ${on("kill PID")}`;
}

/** What a start needs besides its target: how long the port may take, where the start's stderr goes. */
export interface StartOptions {
  waitMs?: number;
  onStderr?: (chunk: Buffer) => void;
  /** The start's shell, opened before the switch and waiting for the word (prepareStart): used instead of a new one. */
  prepared?: PreparedStart;
}

/**
 * A start whose shell is already up (its ~/.bashrc read, the venv active: a round trip and the login's own time)
 * while the deploy uploads and switches; `go` makes it stop the old instance and start the live release.
 */
export interface PreparedStart {
  go(): Promise<StartResult>;
  /** Lets the waiting shell end without starting anything (no-op after go). */
  cancel(): Promise<void>;
}

function checkStartable(server: ServerConfig): string {
  if (server.start === undefined)
    throw new InputError('no "start" command for this server', {
      hint: 'add e.g. "start": "python wechat.py" to the server in wxdev.config.json',
    });
  return server.start;
}

/** Opens the start's shell, which waits on stdin for "go" (or its end: then it starts nothing). */
function launchStart(
  shell: RemoteShell,
  target: AppTarget,
  options: { waitMs?: number; onStderr?: (chunk: Buffer) => void; stdin?: PassThrough },
): Promise<RunResult> {
  const { server, port } = target;
  const command = checkStartable(server);
  const spare = server.warmStart === false ? undefined : spareCommand(command);
  const script = startScript(appPaths(server.remoteDir), {
    command,
    port,
    waitMs: options.waitMs ?? 10_000,
    ...(spare === undefined ? {} : { spare }),
    ...(options.stdin === undefined ? {} : { waitForGo: true }),
  });
  return runChecked(shell, script, {
    ...appWhere(server),
    ...(options.onStderr === undefined ? {} : { onStderr: options.onStderr }),
    ...(options.stdin === undefined ? {} : { stdin: options.stdin }),
  });
}

/**
 * Opens the start's shell now, to start the app with `go` later (after the switch). Only for a live directory
 * that exists now and a venv outside it: the shell reads both before the switch.
 */
export function prepareStart(shell: RemoteShell, target: AppTarget, options: StartOptions = {}): PreparedStart {
  const stdin = new PassThrough();
  const result = launchStart(shell, target, { ...options, stdin });
  // Told at go, or dropped at cancel: a failure before either is not unhandled.
  result.catch(() => undefined);
  return {
    go: async () => {
      const began = Date.now();
      stdin.end("go\n");
      return startResult(await result, target, began);
    },
    cancel: async () => {
      if (!stdin.writableEnded) stdin.end();
      await result.catch(() => undefined);
    },
  };
}

/**
 * Starts the app with the server's `start` command in the live directory inside `venv`, after stopping the
 * instance wxdev started before; resolves once its port accepts connections on the server (waitMs, default 10 s).
 */
export async function startApp(
  shell: RemoteShell,
  target: AppTarget,
  options: StartOptions = {},
): Promise<StartResult> {
  if (options.prepared !== undefined) return options.prepared.go();
  const began = Date.now();
  return startResult(await launchStart(shell, target, options), target, began);
}

/** What the start script printed, as a StartResult or an AppStartError. */
function startResult(result: RunResult, target: AppTarget, began: number): StartResult {
  const { server, port } = target;
  const logs = `wxdev logs ${target.name ?? "<server>"}`;
  const [head = "", tail = ""] = result.stdout.split("\x1etail\n");
  const release = /^release (.*)$/m.exec(head)?.[1] ?? "plain";
  const stopped = /^(?:stopped|killed) (\d+)$/m.exec(head)?.[1];
  const outcome = /^(up|exited|timeout|busy)\b ?(\d*) ?(\d*)$/m.exec(head);
  if (outcome === null)
    throw new CheckFailedError(
      `starting the app failed on the server: ${result.stderr.trim().split("\n").slice(-3).join(" | ") || "no output"}`,
      { hint: `run ${logs} to see the app's output`, code: "APP_NOT_STARTED" },
    );
  const logTail = tail.split("\n").filter((line, i, all) => line !== "" || i < all.length - 1);
  const pid = Number(outcome[2]);
  const where = `in ${((Date.now() - began) / 1000).toFixed(1)} s`;
  switch (outcome[1]) {
    case "exited":
      throw new AppStartError(
        `the app exited${outcome[3] ? ` with status ${outcome[3]}` : ""} right after starting (${server.start})`,
        `its output is above (${logs} shows more); fix it and deploy or start again`,
        "exited",
        logTail,
        release,
      );
    case "timeout":
      throw new AppStartError(
        `the app (pid ${pid}) did not open port ${port} ${where}`,
        `check that it listens on 127.0.0.1:${port} (e.g. app.run(port=${port})) or set "appPort"`,
        "timeout",
        logTail,
        release,
      );
    case "busy":
      throw new AppStartError(
        `port ${port} is already taken by a process wxdev did not start`,
        `${stopByPid(target.name, port)}, then start again`,
        "busy",
        [],
      );
  }
  return {
    pid,
    ...(stopped === undefined ? {} : { stopped: Number(stopped) }),
    release,
    seconds: (Date.now() - began) / 1000,
    ...(/^warm$/m.test(head) ? { warm: true as const } : {}),
  };
}

/**
 * Stops the instance wxdev started (by its pid file and process group); resolves with its pid, if one ran. A pid
 * file that names another process (another account's, a reused pid) is a ForeignPidError: nothing is signalled.
 */
export async function stopApp(
  shell: RemoteShell,
  server: ServerConfig,
  target: { name?: string; port?: number } = {},
): Promise<{ stopped?: number }> {
  const result = await shell.exec(`bash -c ${q(stopScript(appPaths(server.remoteDir)))}`);
  if (result.code !== 0)
    throw new CheckFailedError(`stopping the app failed on the server: ${result.stderr.trim() || "no message"}`);
  const foreign = foreignIn(result.stdout);
  if (foreign !== undefined) throw new ForeignPidError(foreign, target.name, target.port);
  const stopped = /^(?:stopped|killed) (\d+)$/m.exec(result.stdout)?.[1];
  return stopped === undefined ? {} : { stopped: Number(stopped) };
}

async function readStatus(shell: RemoteShell, server: ServerConfig, port: number | undefined): Promise<AppStatus> {
  const result = await shell.exec(`bash -c ${q(statusScript(appPaths(server.remoteDir), port))}`);
  if (result.code !== 0)
    throw new CheckFailedError(`reading the app's state failed on the server: ${result.stderr.trim() || "no message"}`);
  const values = new Map(
    result.stdout
      .split("\n")
      .filter((line) => line.includes(" "))
      .map((line) => [line.slice(0, line.indexOf(" ")), line.slice(line.indexOf(" ") + 1)] as const),
  );
  const live = values.get("live");
  const since = values.get("since");
  const foreign = foreignIn(result.stdout);
  const serving = servingIn(values);
  return {
    running: values.has("pid"),
    ...(values.has("pid") ? { pid: Number(values.get("pid")), uptimeSeconds: Number(values.get("uptime")) } : {}),
    ...(port === undefined ? {} : { port, listening: values.get("port") === "1" }),
    ...(live === undefined || live === "none" ? {} : { release: live.slice(live.lastIndexOf("/") + 1) }),
    ...(since === undefined ? {} : { liveSince: new Date(Number(since) * 1000) }),
    ...(foreign === undefined ? {} : { foreign }),
    ...(serving === undefined ? {} : { serving }),
  };
}

/** What serves, from statusScript's lines: the app wxdev started (pid, cwd), else the port's holder. */
function servingIn(values: Map<string, string>): Serving | undefined {
  const where = { releases: values.get("releases") || undefined, plain: values.get("plain") };
  const pid = values.get("pid");
  const cwd = values.get("cwd");
  const holder = /^(\d+) (\d*) (.*)$/.exec(values.get("holder") ?? "");
  if (pid !== undefined && cwd !== undefined) {
    const ticks = holder?.[1] === pid && holder[2] ? { startedTicks: Number(holder[2]) } : {};
    return { pid: Number(pid), path: cwd, managed: true, ...ticks, ...releaseOfPath(cwd, where) };
  }
  if (holder === null) return undefined;
  const [, holderPid = "", ticks = "", path = ""] = holder;
  return {
    pid: Number(holderPid),
    path,
    managed: false,
    ...(ticks === "" ? {} : { startedTicks: Number(ticks) }),
    ...releaseOfPath(path, where),
  };
}

/** Whether the app wxdev started runs, its pid and uptime, whether its port listens, and the live release. */
export function appStatus(shell: RemoteShell, target: AppTarget): Promise<AppStatus> {
  return readStatus(shell, target.server, target.port);
}

/** The log asked for is not on the server: nothing wrote it yet. */
export class NoLogError extends CheckFailedError {
  constructor(file: "app" | "deploy", name: string | undefined) {
    const server = name ?? "<server>";
    super(
      file === "deploy"
        ? "no deploy.log on the server yet: no post-deploy command has run there"
        : "no app.log on the server yet: wxdev has not started the app there",
      {
        hint:
          file === "deploy"
            ? `it is written when a deploy runs postDeploy (or --exec), e.g. wxdev deploy ${server} --exec 'pip list'`
            : `wxdev start ${server} starts it (an app started by hand logs where its command sends its output)`,
        code: "NO_LOG",
      },
    );
  }
}

/**
 * The last `lines` lines of the app's log (or, with file "deploy", of the deploy's post-step log); NoLogError when
 * there is none.
 */
export async function readLog(
  shell: RemoteShell,
  server: ServerConfig,
  options: { lines: number; file?: "app" | "deploy"; name?: string },
): Promise<string> {
  const result = await shell.exec(`bash -c ${q(logScript(appPaths(server.remoteDir), options))}`);
  refuseUnsafe(result);
  if (result.code === NO_LOG) throw new NoLogError(options.file ?? "app", options.name);
  return result.stdout;
}

/** Streams the log as it grows (tail -F, so a rotation is followed) until the connection is closed. */
export async function followLog(
  shell: RemoteShell,
  server: ServerConfig,
  options: { lines: number; file?: "app" | "deploy"; onStdout: (chunk: Buffer) => void },
): Promise<void> {
  await shell.exec(`bash -c ${q(logScript(appPaths(server.remoteDir), { ...options, follow: true }))}`, {
    onStdout: options.onStdout,
  });
}
