import type { ServerConfig } from "../../config/file.js";
import { appPaths, waitForRestartScript } from "../app/scripts.js";
import { releaseOfPath, type StartResult } from "../app/app.js";
import { q, type RemoteShell } from "../shell.js";
import { type AppCheck, type CheckResult, type DownResult, handshakeResult, SETTLE_MS, type UpResult } from "./gate.js";

/** The server's clock as /proc/PID/stat counts a process's start (clock ticks since boot): a mark to compare with. */
export async function serverTicks(shell: RemoteShell): Promise<number | undefined> {
  const result = await shell.exec("cat /proc/self/stat");
  const fields = result.stdout.slice(result.stdout.lastIndexOf(")") + 2).split(" ");
  const ticks = Number(fields[19]);
  return result.code === 0 && Number.isInteger(ticks) ? ticks : undefined;
}

/** What the wait script saw on the port, parsed. */
interface Seen {
  state: "fresh" | "stale" | "foreign" | "none";
  pid?: number;
  path?: string;
  release?: string;
}

async function watchPort(
  shell: RemoteShell,
  server: ServerConfig,
  options: { port: number; since: number; waitMs: number },
): Promise<Seen> {
  const script = waitForRestartScript(appPaths(server.remoteDir), options);
  const { stdout } = await shell.exec(`bash -c ${q(script)}`);
  const lines = new Map(stdout.split("\n").map((line) => [line.split(" ")[0] ?? "", line] as const));
  const where = {
    releases: lines.get("releases")?.slice("releases ".length) || undefined,
    plain: lines.get("plain")?.slice("plain ".length),
  };
  for (const state of ["fresh", "stale"] as const) {
    const match = /^\S+ (\d+) \d* (.*)$/.exec(lines.get(state) ?? "");
    if (match) {
      const path = match[2] ?? "";
      return { state, pid: Number(match[1]), path, ...releaseOfPath(path, where) };
    }
  }
  return { state: lines.has("foreign") ? "foreign" : "none" };
}

/**
 * After a post-deploy command that restarts the app by hand (no "start"): waits for a process started after
 * `since` (serverTicks before the command ran) to listen on `port`, as `start` waits for its own (up to `waitMs`),
 * then does the handshake through checkUrl (retried for a few seconds), then checks that process still holds the
 * port a moment later. An old process still answering is a failure, not a pass: it serves the old release.
 */
export async function awaitRestart(
  shell: RemoteShell,
  server: ServerConfig,
  options: { port: number; since: number; check?: AppCheck; waitMs?: number },
): Promise<{ up: UpResult } | { down: DownResult }> {
  const began = Date.now();
  const waitMs = options.waitMs ?? 10_000;
  const seen = await watchPort(shell, server, { port: options.port, since: options.since, waitMs });
  const within = `within ${(waitMs / 1000).toFixed(0)} s of the post-deploy command`;
  if (seen.state !== "fresh" || seen.pid === undefined) {
    const reason =
      seen.state === "stale"
        ? `the app on port ${options.port} (pid ${seen.pid}, release ${seen.release ?? seen.path}) was started` +
          ` before this deploy and still answers ${within}: the post-deploy command did not restart it`
        : seen.state === "foreign"
          ? `port ${options.port} is held by a process this account cannot see (another account's?)`
          : `nothing listens on port ${options.port} ${within}: did the post-deploy command start the app?`;
    return { down: { reason, logTail: [] } };
  }
  const start: StartResult = { pid: seen.pid, release: seen.release ?? seen.path ?? "", seconds: 0 };
  start.seconds = (Date.now() - began) / 1000;
  const opened = Date.now();
  let check: CheckResult | undefined;
  if (options.check !== undefined) {
    check = await handshakeResult(options.check, 5_000);
    if (!check.ok)
      return {
        down: { reason: `the handshake through ${check.url} failed: ${check.problem}`, logTail: [], start, check },
      };
  }
  const wait = SETTLE_MS - (Date.now() - opened);
  if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
  const still = await watchPort(shell, server, { port: options.port, since: options.since, waitMs: 0 });
  if (still.pid !== seen.pid) {
    const reason = `the app (pid ${seen.pid}) stopped listening within ${((Date.now() - opened) / 1000).toFixed(1)} s`;
    return { down: { reason, logTail: [], start, ...(check ? { check } : {}) } };
  }
  return { up: { start, ...(check ? { check } : {}), by: "post" } };
}
