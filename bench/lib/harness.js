// Shared bench plumbing: start a server process, and autocannon with freshly signed messages.
import { fork, spawn } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createServer } from "node:net";
import { fileURLToPath } from "node:url";
import autocannon from "autocannon";
import { buildCallback, buildMessage, createTarget } from "../../dist/index.js";

export const TOKEN = "benchtoken";

export function freePort() {
  return new Promise((resolve) => {
    const server = createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/**
 * `wxdev serve` as users run it: the built CLI, its log lines going to a file
 * (`wxdev serve --token … > server.log`).
 */
async function startCli(port) {
  const dir = mkdtempSync(join(tmpdir(), "wxdev-bench-serve-"));
  const log = join(dir, "server.log");
  const fd = openSync(log, "w");
  const bin = fileURLToPath(new URL("../../bin/wxdev.cjs", import.meta.url));
  const child = spawn(process.execPath, [bin, "serve", "--port", String(port), "--path", "/wechat"], {
    stdio: ["ignore", fd, "ignore"],
    env: { ...process.env, WXDEV_TOKEN: TOKEN, NO_COLOR: "1" },
  });
  closeSync(fd);
  const deadline = Date.now() + 10_000;
  while (!readFileSync(log, "utf8").includes("listening")) {
    if (child.exitCode !== null || Date.now() > deadline) throw new Error("wxdev serve did not start");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return {
    url: `http://127.0.0.1:${port}/wechat`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        });
        child.kill("SIGINT");
      }),
  };
}

/** Starts an echo server of `kind` in its own process; resolves with its URL and a stop function. */
export async function startServer(kind) {
  const port = await freePort();
  if (kind === "wxdev-cli") return startCli(port);
  const child = fork(fileURLToPath(new URL("./echo-server.js", import.meta.url)), [kind, String(port), TOKEN], {
    stdio: "ignore",
  });
  await new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`${kind} server exited with ${code}`)));
  });
  return {
    url: `http://127.0.0.1:${port}/wechat`,
    stop: () =>
      new Promise((resolve) => {
        child.once("exit", resolve);
        child.kill();
      }),
  };
}

/** A text message as WeChat sends it: fresh timestamp, nonce, MsgId and signature every call. */
export function freshRequest(url) {
  const callback = buildCallback(createTarget({ url, token: TOKEN }), buildMessage("text", { Content: "bench" }));
  const parsed = new URL(callback.url);
  return { path: `${parsed.pathname}${parsed.search}`, body: callback.body };
}

/** `size` distinct, freshly signed requests for `url`. */
export function makePool(url, size) {
  return Array.from({ length: size }, () => freshRequest(url));
}

/**
 * autocannon where every request is a distinct, freshly signed message. The messages are made
 * before the clock starts (`poolSize` of them, never reused within a run), so the load
 * generator measures the server rather than its own signing.
 */
export function cannon(url, { connections, duration, pool = makePool(url, 40_000 * duration) }) {
  let next = 0;
  return new Promise((resolve, reject) => {
    autocannon(
      {
        url,
        connections,
        duration,
        requests: [
          {
            method: "POST",
            headers: { "Content-Type": "text/xml" },
            setupRequest: (request) => {
              if (next === pool.length) throw new Error("message pool exhausted: make a larger pool");
              return { ...request, ...pool[next++] };
            },
          },
        ],
      },
      (error, result) => (error ? reject(error) : resolve(result)),
    );
  });
}

/** A warmed-up autocannon run of `kind` at `url`, as one row: requests/s, p50, p99, errors, non-2xx. */
export async function measure(kind, url, { connections, duration }) {
  await cannon(url, { connections, duration: 1 }); // warm up
  const result = await cannon(url, { connections, duration });
  return {
    kind,
    rps: result.requests.average,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts,
    non2xx: result.non2xx,
  };
}
