import { setTimeout as delay } from "node:timers/promises";
import { relative, sep } from "node:path";
import { followLog } from "../remote/app/app.js";
import { ConnectionLostError, type RemoteShell } from "../remote/shell.js";
import { backoff } from "../support/backoff.js";
import { InputError } from "../support/errors.js";
import { type HeldRelease, holdReleaseLock } from "../remote/releases/state.js";
import { type DeployEvent, type DeployOptions, type DeployResult, deployHeld } from "./deploy.js";
import { ALWAYS_IGNORED, DEFAULT_IGNORED, listProject } from "./manifest.js";

/** An open connection: its shell, and how to close it. */
export interface WatchConnection {
  shell: RemoteShell;
  close(): void;
}

/** What `wxdev deploy --watch` reports as it goes. */
export type WatchEvent =
  /** A deploy ran (the first one, or after a burst of saves): `saved` are the saved paths that set it off. */
  | { type: "deployed"; saved: string[]; result: DeployResult; servingSeconds?: number; savedAt: number }
  /** A deploy failed outright (not a release that did not come up: that is "deployed" with its gate's verdict). */
  | { type: "failed"; saved: string[]; error: unknown; savedAt: number }
  /** Watching: the project's files are being watched (`files` of them deploy). */
  | { type: "watching"; files: number }
  /** A deploy's own progress (output of the start, warnings). */
  | { type: "deploy"; event: DeployEvent }
  /** The app's log, as it grows. */
  | { type: "log"; chunk: Buffer }
  | { type: "lost"; reason: string }
  | { type: "retry"; attempt: number; delayMs: number; lastError?: string }
  | { type: "reconnected" };

export interface WatchOptions {
  /** The deploy each burst of saves runs (its shell is the watch's connection). */
  deploy: Omit<DeployOptions, "shell" | "dryRun" | "paths" | "onEvent">;
  /** Opens a connection: at the start, and again after a drop. */
  connect: () => Promise<WatchConnection>;
  /** Ends the watch: the last good release stays live. */
  signal: AbortSignal;
  onEvent: (event: WatchEvent) => void;
  /** How long the files must be quiet before a burst of saves deploys; default 40 ms. */
  debounceMs?: number;
  /** Stream the app's log (as `logs -f`); default true. */
  followLog?: boolean;
  /** How long to keep reconnecting after a drop before giving up; default 5 minutes. */
  giveUpAfterMs?: number;
}

/** Folders never watched: the folders deploy leaves out unless told otherwise (too big to watch for nothing). */
const UNWATCHED = new Set(
  [...ALWAYS_IGNORED, ...DEFAULT_IGNORED].filter((rule) => rule.endsWith("/")).map((rule) => rule.slice(0, -1)),
);

/**
 * Deploys, then keeps one connection open and watches the project: each burst of saves (debounced) deploys what
 * changed (the same file list and ignore rules as deploy; the manifest decides what goes up), with the app's log
 * streamed beneath. A dropped connection reconnects with backoff. Resolves when `signal` aborts; the last good
 * release stays live (a release that does not come up is switched back by the deploy's health gate).
 */
export async function watchDeploy(options: WatchOptions): Promise<void> {
  const { signal, onEvent } = options;
  const root = options.deploy.root;
  const { watch } = await import("chokidar");
  let connection: WatchConnection | undefined;
  let held: HeldRelease | undefined;
  const onWarning = (message: string): void => onEvent({ type: "deploy", event: { type: "warning", message } });
  /** Connects and takes the deploy lock for as long as the connection lasts: no round trip for it at each save. */
  const open = async (): Promise<WatchConnection> => {
    const opened = await options.connect();
    try {
      held = await holdReleaseLock(opened.shell, { ...options.deploy, onWarning });
    } catch (error) {
      opened.close();
      throw error;
    }
    return opened;
  };
  let deployed = new Set<string>();
  const pending = new Map<string, number>();
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<void> | undefined;
  let again = false;
  let lost: Promise<void> | undefined;

  const select = (): Promise<string[]> =>
    listProject({
      root,
      files: options.deploy.server.files,
      ignore: options.deploy.server.ignore,
      ...(options.deploy.exclude === undefined ? {} : { exclude: options.deploy.exclude }),
    });

  const follow = (shell: RemoteShell): void => {
    if (options.followLog === false) return;
    followLog(shell, options.deploy.server, { lines: 0, onStdout: (chunk) => onEvent({ type: "log", chunk }) }).then(
      () => dropped("the log stream ended"),
      (error: unknown) => dropped(error instanceof Error ? error.message : String(error)),
    );
  };

  /** Opens the connection again with backoff, while not stopped; then deploys whatever changed meanwhile. */
  const dropped = (reason: string): Promise<void> => {
    if (signal.aborted) return Promise.resolve();
    lost ??= (async () => {
      connection?.close();
      connection = undefined;
      held = undefined;
      onEvent({ type: "lost", reason });
      const deadline = Date.now() + (options.giveUpAfterMs ?? 300_000);
      let lastError: string | undefined;
      for (let attempt = 1; !signal.aborted; attempt++) {
        const delayMs = backoff(attempt);
        if (Date.now() + delayMs > deadline) throw new ConnectionLostError(`gave up reconnecting: ${lastError}`);
        onEvent({ type: "retry", attempt, delayMs, ...(lastError === undefined ? {} : { lastError }) });
        await sleep(delayMs, signal);
        if (signal.aborted) return;
        try {
          connection = await open();
          break;
        } catch (error) {
          if (error instanceof InputError) throw error;
          lastError = error instanceof Error ? error.message : String(error);
        }
      }
      if (connection === undefined) return;
      onEvent({ type: "reconnected" });
      follow(connection.shell);
    })().finally(() => {
      lost = undefined;
    });
    lost.then(() => schedule(0), stop);
    return lost;
  };

  /** One deploy over the open connection, for the saves gathered so far. */
  const deployOnce = async (saved: string[], savedAt: number): Promise<void> => {
    if (connection === undefined || held === undefined) return;
    let servingAt: number | undefined;
    try {
      const result = await deployHeld(held, {
        ...options.deploy,
        shell: connection.shell,
        onEvent: (event) => {
          if (event.type === "serving") servingAt ??= performance.now();
          else onEvent({ type: "deploy", event });
        },
      });
      deployed = new Set(result.plan.upload.concat(result.plan.unchanged, result.plan.kept));
      const servingSeconds = servingAt === undefined ? undefined : (servingAt - savedAt) / 1000;
      onEvent({
        type: "deployed",
        saved,
        result,
        savedAt,
        ...(servingSeconds === undefined ? {} : { servingSeconds }),
      });
      // What is live now (the new release, or the one the gate switched back to), for the next save's plan.
      await held.refresh();
    } catch (error) {
      if (error instanceof ConnectionLostError) {
        for (const path of saved) pending.set(path, savedAt);
        await dropped(error.message);
        return;
      }
      onEvent({ type: "failed", saved, error, savedAt });
    }
  };

  const flush = async (): Promise<void> => {
    if (pending.size === 0 || connection === undefined) return;
    const selected = new Set(await select().catch(() => [...deployed]));
    const saved = [...pending.keys()].filter((path) => selected.has(path) || deployed.has(path));
    const savedAt = Math.min(...pending.values());
    pending.clear();
    if (saved.length > 0) await deployOnce(saved.sort(), savedAt);
  };

  /** Deploys once the files have been quiet for the debounce; one deploy at a time, the next after it. */
  function schedule(delayMs = options.debounceMs ?? 40): void {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (running !== undefined) {
        again = true;
        return;
      }
      running = flush().finally(() => {
        running = undefined;
        if (again) {
          again = false;
          schedule(0);
        }
      });
    }, delayMs);
  }

  let stop!: (error?: unknown) => void;
  const stopped = new Promise<void>((resolve, reject) => {
    stop = (error?: unknown) => (error === undefined ? resolve() : reject(error));
  });
  signal.addEventListener("abort", () => stop(), { once: true });

  connection = await open();
  const watcher = watch(root, {
    ignoreInitial: true,
    ignored: (path) =>
      relative(root, path)
        .split(sep)
        .some((part) => UNWATCHED.has(part)),
  });
  try {
    watcher.on("all", (_event, path) => {
      const rel = relative(root, path).split(sep).join("/");
      if (!pending.has(rel)) pending.set(rel, performance.now());
      schedule();
    });
    watcher.on("error", (error) => stop(error));
    await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
    const first = performance.now();
    await deployOnce([], first);
    onEvent({ type: "watching", files: deployed.size });
    follow(connection.shell);
    await stopped;
  } finally {
    clearTimeout(timer);
    await watcher.close();
    // A deploy under way finishes (its health gate decides what stays live) before the connection goes.
    await running?.catch(() => undefined);
    await held?.release().catch(() => undefined);
    connection?.close();
  }
}

/** Waits `ms`, or less when `signal` aborts (then resolves too: the caller checks the signal). */
const sleep = (ms: number, signal: AbortSignal): Promise<void> =>
  delay(ms, undefined, { signal }).catch(() => undefined);
