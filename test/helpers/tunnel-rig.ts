import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, readFileSync, writeFileSync } from "node:fs";
import { createServer, type Server } from "node:net";
import { join } from "node:path";
import { expect } from "vitest";
import { makeWechatVenv, startNginx } from "./classroom.js";
import { runMain } from "./main.js";
import { freePort } from "./net.js";
import { type RunningCommand, startCommand } from "./processes.js";
import { serverEntry, startSshd, TEST_USER, type TestSshd } from "./sshd.js";

/** The class's seed app (Flask), deployed and started on the server as the managed app. */
const SEED_APP = (port: number): string => `from flask import Flask, request
app = Flask(__name__)

@app.route("/wechat${port}", methods=["GET", "POST"])
def wechat():
    return request.args.get("echostr", "deployed app")

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=${port})
`;

/**
 * A shared server as the class has it, on this machine: a real sshd (the student's account, a stock ~/.bashrc),
 * nginx in front mapping /wechatPORT to 127.0.0.1:PORT, the seed app deployed (not started), and a project folder
 * whose wxdev.config.json names it s8013 (plus `unchecked`: no checkUrl, `nostate`: a remoteDir under a file,
 * `nostart`: no start command).
 */
export interface TunnelRig {
  sshd: TestSshd;
  dir: string;
  config: string;
  /** The app's port on the "server" (nginx → 127.0.0.1:port), the laptop's port, nginx's port. */
  port: number;
  localPort: number;
  proxyPort: number;
  env(): Record<string, string>;
  /** wxdev in process, from the project folder. */
  wx(args: string[]): ReturnType<typeof runMain>;
  publicUrl(): string;
  /** `wxdev tunnel s8013` as a real process, once it is up; stopped by stopAll. */
  tunnel(args?: string[], env?: Record<string, string>): Promise<RunningCommand>;
  /** The sshd session process holding the forward, from the server-side marker. */
  marker(): number;
  stopAll(): Promise<void>;
  close(): Promise<void>;
}

export async function startTunnelRig(temp: (prefix: string) => string): Promise<TunnelRig> {
  const sshd = await startSshd({ stockBashrc: true });
  const clientHome = temp("wxdev-client-home-");
  const dir = temp("wxdev-tunnel-");
  // nginx's workers (another user) write large request bodies to client_body_temp here.
  chmodSync(dir, 0o755);
  const [port, localPort, proxyPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env = (): Record<string, string> => ({ HOME: clientHome, WXDEV_TOKEN: "tuntoken" });
  const wx = (args: string[]) => runMain(args, { cwd: dir, env: env(), timeoutMs: 60_000 });
  const publicUrl = (): string => `http://127.0.0.1:${proxyPort}/wechat${port}`;
  makeWechatVenv(sshd);
  const server = serverEntry(sshd, `tun-${port}`, {
    appPort: port,
    venv: "wechat",
    start: "python wechat.py",
    checkUrl: publicUrl(),
  });
  const config = join(dir, "wxdev.config.json");
  const { checkUrl: _checkUrl, ...unchecked } = server;
  const nostate = { ...unchecked, remoteDir: "~/.bashrc/tun" };
  const { start: _start, ...nostart } = unchecked;
  writeFileSync(config, JSON.stringify({ servers: { s8013: server, unchecked, nostate, nostart } }));
  writeFileSync(join(dir, "wechat.py"), SEED_APP(port));
  const printed = await wx(["nginx", "s8013", "--full", "--listen", String(proxyPort)]);
  const nginx: ChildProcess = await startNginx(dir, printed.stdout, proxyPort);
  // Trust the host key once; every later connection checks it against known_hosts.
  const deployed = await wx(["deploy", "unchecked", "--yes", "--no-start"]);
  expect(deployed.code, deployed.stdout + deployed.stderr).toBe(0);
  const running: RunningCommand[] = [];
  return {
    sshd,
    dir,
    config,
    port,
    localPort,
    proxyPort,
    env,
    wx,
    publicUrl,
    tunnel: async (args = [], extraEnv = {}) => {
      const command = await startCommand(
        ["--config", config, "tunnel", "s8013", "--local-port", String(localPort), ...args],
        { ...env(), ...extraEnv },
        /tunnel up|"event":"up"/,
      );
      running.push(command);
      return command;
    },
    marker: () => Number(readFileSync(join(sshd.home, `.tun-${port}.wxdev`, `tunnel-${port}.pid`), "utf8").trim()),
    stopAll: async () => {
      for (const command of running.splice(0)) await command.stop();
    },
    close: async () => {
      await wx(["stop", "s8013"]).catch(() => undefined);
      nginx.kill();
      await sshd.stop();
    },
  };
}

export async function until(what: string, test: () => boolean | Promise<boolean>, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await test())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Binds 127.0.0.1:port (as anything on the server would): resolves with the server, rejects when taken. */
export function bind(port: number): Promise<Server> {
  return new Promise((resolve, reject) => {
    const server = createServer((socket) => socket.destroy());
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}

/** True once nothing holds 127.0.0.1:port. */
export const portFree = (port: number): Promise<boolean> =>
  bind(port).then(
    (server) => new Promise<boolean>((resolve) => server.close(() => resolve(true))),
    () => false,
  );

export const exited = (child: ChildProcess): Promise<number | null> =>
  child.exitCode !== null ? Promise.resolve(child.exitCode) : new Promise((resolve) => child.once("exit", resolve));

/** A classmate's account on the same server (made once; no SSH login needed: their program runs locally). */
/** A second account for the tunnel tests, not the one startSshd({ classmate }) makes (that one needs a home). */
export const CLASSMATE = `${TEST_USER}t`;

export function ensureClassmate(): void {
  if (spawnSync("id", [CLASSMATE]).status !== 0) execFileSync("useradd", ["-M", "-s", "/usr/sbin/nologin", CLASSMATE]);
}

/** A listener as `user` on 127.0.0.1:port, trying every millisecond until the port is free (as a lurking program). */
export interface Lurker {
  child: ChildProcess;
  /** Resolves once it is running and found the port taken (it binds the moment the port is free). */
  waiting: Promise<void>;
  /** Resolves once it holds the port. */
  bound: Promise<void>;
  /** How many requests reached it. */
  received(): number;
  stop(): void;
}

const LURKER = `const net = require("node:net");
const server = net.createServer((socket) => socket.once("data", () => { console.log("received"); socket.destroy(); }));
const attempt = () => server.listen(Number(process.argv[1]), "127.0.0.1");
let tries = 0;
server.on("error", () => { if (tries++ === 0) console.log("waiting"); setTimeout(attempt, 1); });
server.on("listening", () => console.log("bound"));
attempt();`;

export function lurk(user: string, port: number): Lurker {
  const ids = (flag: string): string => execFileSync("id", [flag, user], { encoding: "utf8" }).trim();
  const child = spawn(
    "setpriv",
    [`--reuid=${ids("-u")}`, `--regid=${ids("-g")}`, "--clear-groups", process.execPath, "-e", LURKER, String(port)],
    { stdio: ["ignore", "pipe", "inherit"], cwd: "/" },
  );
  let output = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  return {
    child,
    waiting: until(`${user}'s program to run`, () => /waiting|bound/.test(output), 30_000),
    bound: until(`${user} to bind ${port}`, () => output.includes("bound"), 30_000),
    received: () => output.split("\n").filter((line) => line === "received").length,
    stop: () => void child.kill(),
  };
}

/** Peak resident memory of a process so far, in bytes (VmHWM). */
export function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, "utf8").match(/^VmHWM:\s+(\d+) kB/m);
  return Number(line?.[1] ?? 0) * 1024;
}
