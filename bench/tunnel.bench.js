// The same echo app (wxdev's reference server) reached through nginx on loopback three ways, side by side:
//   direct  nginx -> 127.0.0.1:<app>                                   (the deployed case)
//   wxdev   nginx -> 127.0.0.1:<r1> -> `wxdev tunnel` (its log to a file) -> the app
//   ssh -R  nginx -> 127.0.0.1:<r2> -> OpenSSH's own remote forward      -> the app
// nginx's location is the one `wxdev nginx` prints (a new upstream connection, so a new SSH channel, per request).
// autocannon, 20 connections, each request a freshly signed message. Targets: wxdev >= 0.8x ssh -R's msgs/s, and
// at most 2 ms added to the direct p50. Needs root (a throwaway sshd and user), nginx and OpenSSH's ssh.
import { spawn, spawnSync } from "node:child_process";
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { cannon, freePort, measure, startServer, TOKEN } from "./lib/harness.js";
import { startSshd, sshdMissing, USER } from "./lib/sshd.js";

const CONNECTIONS = 20;
const DURATION = 5;
const ROUNDS = 2;
const SOLO_DURATION = 3;
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
const missing = sshdMissing() ?? (NGINX === undefined ? "nginx not found (apt-get install nginx)" : undefined);
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}

const listening = (port) => spawnSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status === 0;
async function waitFor(what, test, child) {
  for (let i = 0; i < 200 && !test(); i++) {
    if (child?.exitCode != null) throw new Error(`${what}: exited with ${child.exitCode}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
  if (!test()) throw new Error(`${what} did not come up`);
}

function location(name, port) {
  return `location = /${name} {
            proxy_pass http://127.0.0.1:${port}/wechat;
            proxy_http_version 1.1;
            proxy_set_header Host $host;
            proxy_connect_timeout 2s;
            proxy_read_timeout 5s;
        }`;
}

async function startNginx(dir, port, routes) {
  const config = `worker_processes 1;
pid nginx.pid;
error_log stderr crit;
events { worker_connections 1024; }
http {
    access_log off;
    client_body_temp_path body; proxy_temp_path proxy;
    fastcgi_temp_path fastcgi; uwsgi_temp_path uwsgi; scgi_temp_path scgi;
    server {
        listen 127.0.0.1:${port};
        ${Object.entries(routes)
          .map(([name, to]) => location(name, to))
          .join("\n        ")}
    }
}`;
  writeFileSync(join(dir, "nginx.conf"), config);
  const child = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "ignore" });
  await waitFor("nginx", () => listening(port), child);
  return child;
}

/** `wxdev tunnel` as users run it: the built CLI, its request log going to a file. */
async function startWxdevTunnel(dir, sshd, remotePort, localPort) {
  const home = join(dir, "home");
  mkdirSync(join(home, ".ssh"), { recursive: true });
  writeFileSync(join(home, ".ssh", "known_hosts"), readFileSync(sshd.knownHosts));
  const server = {
    host: "127.0.0.1",
    port: sshd.port,
    username: USER,
    remoteDir: "~/tunnelbench",
    privateKey: sshd.key,
  };
  writeFileSync(
    join(dir, "wxdev.config.json"),
    JSON.stringify({ servers: { bench: { ...server, appPort: remotePort } } }),
  );
  const log = join(dir, "tunnel.log");
  const fd = openSync(log, "w");
  const bin = fileURLToPath(new URL("../bin/wxdev.cjs", import.meta.url));
  const args = ["--config", join(dir, "wxdev.config.json"), "tunnel", "bench", "--local-port", String(localPort)];
  const child = spawn(process.execPath, [bin, ...args], {
    stdio: ["ignore", fd, "ignore"],
    env: { ...process.env, HOME: home, NO_COLOR: "1", SSH_AUTH_SOCK: "" },
  });
  closeSync(fd);
  await waitFor("wxdev tunnel", () => readFileSync(log, "utf8").includes("tunnel up"), child);
  return { stop: () => stopChild(child, "SIGINT") };
}

async function startSshR(sshd, remotePort, localPort) {
  const forward = `127.0.0.1:${remotePort}:127.0.0.1:${localPort}`;
  const args = [...sshd.ssh.split(" ").slice(1), "-N", "-o", "ExitOnForwardFailure=yes", "-R", forward];
  const child = spawn("ssh", [...args, `${USER}@127.0.0.1`], { stdio: "ignore" });
  await waitFor("ssh -R", () => listening(remotePort), child);
  return { stop: () => stopChild(child, "SIGTERM") };
}

function stopChild(child, signal) {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once("exit", resolve);
    child.kill(signal);
  });
}

const dir = mkdtempSync(join(tmpdir(), "wxdev-bench-tunnel-"));
const sshd = await startSshd();
const app = await startServer("wxdev");
const appPort = Number(new URL(app.url).port);
const [proxyPort, wxdevPort, sshPort] = await Promise.all([freePort(), freePort(), freePort()]);
const nginx = await startNginx(dir, proxyPort, { direct: appPort, wxdev: wxdevPort, ssh: sshPort });
const tunnels = [await startWxdevTunnel(dir, sshd, wxdevPort, appPort), await startSshR(sshd, sshPort, appPort)];
const KINDS = ["direct", "wxdev", "ssh"];
const runs = Object.fromEntries(KINDS.map((kind) => [kind, []]));
const solo = {};
try {
  for (let round = 0; round < ROUNDS; round++) {
    for (const kind of KINDS) {
      const url = `http://127.0.0.1:${proxyPort}/${kind}`;
      runs[kind].push(await measure(kind, url, { connections: CONNECTIONS, duration: DURATION }));
    }
  }
  // One request at a time: the latency each path adds by itself, without queueing behind the others.
  for (const kind of KINDS) {
    const result = await cannon(`http://127.0.0.1:${proxyPort}/${kind}`, { connections: 1, duration: SOLO_DURATION });
    solo[kind] = { p50: result.latency.p50, p99: result.latency.p99, mean: result.latency.mean };
  }
} finally {
  for (const tunnel of tunnels) await tunnel.stop();
  nginx.kill();
  await app.stop();
  sshd.stop();
  rmSync(dir, { recursive: true, force: true });
}
const rows = KINDS.map((kind) => runs[kind].reduce((best, run) => (run.rps > best.rps ? run : best)));
console.log(
  `echo app through nginx on loopback (autocannon, ${CONNECTIONS} connections, ${DURATION} s each, the better of ` +
    `${ROUNDS} interleaved rounds, fresh signature per request; token ${TOKEN.length} chars)`,
);
for (const row of rows) {
  console.log(
    `  ${row.kind.padEnd(6)} ${Math.round(row.rps).toLocaleString("en-US").padStart(7)} msg/s  ` +
      ` p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}`,
  );
}
const [direct, wxdev, ssh] = rows;
const ratio = wxdev.rps / ssh.rps;
const added = wxdev.p50 - direct.p50;
const clean = wxdev.errors === 0 && wxdev.non2xx === 0;
console.log(
  `  ratio wxdev tunnel / ssh -R: ${ratio.toFixed(2)}x (target >= 0.80x) ${ratio >= 0.8 && clean ? "MET" : "NOT MET"}`,
);
console.log(`  p50 added at ${CONNECTIONS} connections: wxdev ${added} ms, ssh -R ${ssh.p50 - direct.p50} ms`);
console.log(
  `one request at a time (${SOLO_DURATION} s each; autocannon's latencies are whole ms, the means are finer):`,
);
for (const kind of KINDS)
  console.log(
    `  ${kind.padEnd(6)} p50 ${solo[kind].p50} ms  mean ${solo[kind].mean.toFixed(2)} ms  p99 ${solo[kind].p99} ms`,
  );
const soloAdded = solo.wxdev.mean - solo.direct.mean;
console.log(
  `  added by wxdev's tunnel: p50 ${solo.wxdev.p50 - solo.direct.p50} ms, mean ${soloAdded.toFixed(2)} ms ` +
    `(target p50 <= 2 ms) ${solo.wxdev.p50 - solo.direct.p50 <= 2 ? "MET" : "NOT MET"}; ` +
    `ssh -R adds mean ${(solo.ssh.mean - solo.direct.mean).toFixed(2)} ms`,
);
