import { spawn } from "node:child_process";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, connect, createServer as createNetServer } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, type CliResult } from "../helpers/cli.js";
import { startServe } from "../helpers/wechat-servers.js";

const env = { WXDEV_TOKEN: "loadtoken" };

let serve: Awaited<ReturnType<typeof startServe>>;
beforeAll(async () => {
  serve = await startServe([], env);
});
afterAll(() => serve?.close());

/**
 * A TCP relay in front of `port` that resolves `reached` at its first connection: the load run has begun (its Ctrl-C
 * handler with it), however long the CLI took to start on a busy machine.
 */
async function relay(port: number): Promise<{ url: (path: string) => string; reached: Promise<void>; close(): void }> {
  let reach: () => void = () => undefined;
  const reached = new Promise<void>((resolve) => (reach = resolve));
  const server = createNetServer((socket) => {
    reach();
    const upstream = connect(port, "127.0.0.1");
    socket.pipe(upstream).pipe(socket);
    const end = (): void => {
      socket.destroy();
      upstream.destroy();
    };
    socket.on("error", end).on("close", end);
    upstream.on("error", end).on("close", end);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const own = (server.address() as AddressInfo).port;
  return { url: (path) => `http://127.0.0.1:${own}${path}`, reached, close: () => server.close() };
}

/** Runs `wxdev ...args`, sends it Ctrl-C (SIGINT) `afterMs` after `ready`, and collects what it printed. */
function interrupted(
  args: string[],
  afterMs: number,
  ready: Promise<void>,
): Promise<CliResult & { stoppedInMs: number }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    let signalledAt = 0;
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    let signal: NodeJS.Timeout | undefined;
    void ready.then(() => {
      signal = setTimeout(() => {
        signalledAt = performance.now();
        child.kill("SIGINT");
      }, afterMs);
    });
    const guard = setTimeout(() => child.kill("SIGKILL"), afterMs + 45_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(signal);
      clearTimeout(guard);
      resolve({ code, stdout, stderr, stoppedInMs: performance.now() - signalledAt });
    });
  });
}

describe("Ctrl-C in load mode reports what was measured so far", () => {
  it("against wxdev serve: exit 130 and the report of the messages answered", async () => {
    const front = await relay(Number(new URL(serve.url).port));
    const url = front.url(new URL(serve.url).pathname);
    const result = await interrupted(
      ["simulate", "text", "x", "--url", url, "--duration", "60", "--concurrency", "4"],
      1_000,
      front.reached,
    ).finally(front.close);
    expect(result.code).toBe(130);
    expect(result.stderr).toMatch(/interrupted \(Ctrl-C\)/);
    const sent = Number(/^messages\s+(\d+) in [\d.]+ s with 4 connections$/m.exec(result.stdout)?.[1]);
    expect(sent).toBeGreaterThan(0);
    expect(result.stdout).toMatch(new RegExp(`status codes\\s+200: ${sent}$`, "m"));
    expect(result.stdout).toMatch(/^latency\s+p50 [\d.]+ ms/m);
  });

  it("--json: one document with interrupted: true and the counts", async () => {
    const front = await relay(Number(new URL(serve.url).port));
    const url = front.url(new URL(serve.url).pathname);
    const result = await interrupted(
      ["simulate", "text", "x", "--url", url, "--count", "100000000", "--concurrency", "2", "--json"],
      1_000,
      front.reached,
    ).finally(front.close);
    expect(result.code).toBe(130);
    const report = JSON.parse(result.stdout) as {
      interrupted: boolean;
      sent: number;
      statusCodes: Record<string, number>;
    };
    expect(report.interrupted).toBe(true);
    expect(report.sent).toBeGreaterThan(0);
    expect(report.sent).toBeLessThan(100_000_000);
    expect(report.statusCodes).toEqual({ "200": report.sent });
  });

  it("answers still on their way do not hold it: a server that never answers is left at once", async () => {
    const held: ServerResponse[] = [];
    let reach: () => void = () => undefined;
    const reached = new Promise<void>((resolve) => (reach = resolve));
    const silent = createServer((_request: IncomingMessage, response: ServerResponse) => {
      held.push(response);
      reach();
    });
    await new Promise<void>((resolve) => silent.listen(0, "127.0.0.1", resolve));
    try {
      const url = `http://127.0.0.1:${(silent.address() as AddressInfo).port}/wechat`;
      const result = await interrupted(
        ["simulate", "text", "x", "--url", url, "--duration", "60", "--concurrency", "3", "--timeout", "30"],
        1_000,
        reached,
      );
      expect(result.code).toBe(130);
      expect(result.stdout).toMatch(/^messages\s+0 in [\d.]+ s with 3 connections$/m);
      expect(held.length).toBe(3);
      expect(result.stoppedInMs).toBeLessThan(3_000);
    } finally {
      silent.closeAllConnections();
      await new Promise((resolve) => silent.close(resolve));
    }
  });
});
