// "Edit → live": one changed file in the class's Flask app (in its venv, behind nginx; its reply changes), to the
// new reply through nginx. Three ways in one run, median of 5 edits each:
//   wxdev deploy --watch: from the file's save to the new reply (one warm connection, debounced)
//   wxdev deploy: from the command to the new reply (connect, lock, upload, switch, restart, port wait, handshake)
//   by hand: rsync + ssh 'kill the old pid; nohup python … &' + polling the URL until the new reply
// Then where a one-off deploy's time goes (its --json steps). Targets: --watch <= 1.0 s and <= 0.6x by hand;
// a one-off deploy <= 0.9x by hand.
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./lib/harness.js";
import { sshdMissing, startSshd, USER } from "./lib/sshd.js";

const BIN = fileURLToPath(new URL("../bin/wxdev.cjs", import.meta.url));
const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
const missing =
  sshdMissing() ??
  (NGINX === undefined ? "nginx not found (apt-get install nginx)" : undefined) ??
  (spawnSync("python3", ["-c", "import flask"]).status !== 0 ? "python3-flask missing" : undefined);
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}

const TOKEN = "edittoken";
const app = (port, version) => `import hashlib
from flask import Flask, request

app = Flask(__name__)

@app.route("/wechat${port}")
def wechat():
    a = request.args
    check = hashlib.sha1("".join(sorted(["${TOKEN}", a.get("timestamp", ""), a.get("nonce", "")])).encode()).hexdigest()
    return a.get("echostr", "") if check == a.get("signature") else ("bad signature", 403)

@app.route("/wechat${port}/reply")
def reply():
    return "${version}"

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=${port})
`;

const sshd = await startSshd();
// The class's venv (virtualenvwrapper's, seeing Debian's flask), as wxdev init sets it up for a student.
spawnSync("su", [
  "-s",
  "/bin/bash",
  "-c",
  "cd; source /usr/share/virtualenvwrapper/virtualenvwrapper.sh >/dev/null 2>&1; " +
    "[ -d ~/.virtualenvs/wechat ] || mkvirtualenv --system-site-packages wechat >/dev/null 2>&1",
  USER,
]);
const [wxPort, handPort, proxyPort] = [await freePort(), await freePort(), await freePort()];
const base = mkdtempSync(join(tmpdir(), "wxdev-bench-edit-"));
const [wxProject, handProject, home, nginxDir] = ["wx", "hand", "home", "nginx"].map((name) => {
  mkdirSync(join(base, name));
  return join(base, name);
});
mkdirSync(join(home, ".ssh"));
execFileSync("cp", [sshd.knownHosts, join(home, ".ssh", "known_hosts")]);
writeFileSync(
  join(nginxDir, "nginx.conf"),
  `pid ${nginxDir}/nginx.pid;
error_log ${nginxDir}/error.log;
events {}
http {
  access_log off;
  client_body_temp_path ${nginxDir}/tmp; proxy_temp_path ${nginxDir}/tmp; fastcgi_temp_path ${nginxDir}/tmp;
  uwsgi_temp_path ${nginxDir}/tmp; scgi_temp_path ${nginxDir}/tmp;
  server {
    listen 127.0.0.1:${proxyPort};
    location /wechat${wxPort} { proxy_pass http://127.0.0.1:${wxPort}; }
    location /wechat${handPort} { proxy_pass http://127.0.0.1:${handPort}; }
  }
}
`,
);
mkdirSync(join(nginxDir, "tmp"));
const nginx = spawn(NGINX, ["-p", nginxDir, "-c", join(nginxDir, "nginx.conf"), "-g", "daemon off;"], {
  stdio: "ignore",
});
const remote = `edit-${process.pid}`;
writeFileSync(
  join(wxProject, "wxdev.config.json"),
  JSON.stringify({
    servers: {
      bench: {
        host: "127.0.0.1",
        port: sshd.port,
        username: USER,
        remoteDir: `~/${remote}-wxdev`,
        privateKey: sshd.key,
        appPort: wxPort,
        venv: "wechat",
        start: "python wechat.py",
        checkUrl: `http://127.0.0.1:${proxyPort}/wechat${wxPort}`,
        files: ["wechat.py"],
      },
    },
  }),
);
const env = { ...process.env, HOME: home, NO_COLOR: "1", WXDEV_TOKEN: TOKEN };
delete env.SSH_AUTH_SOCK;

/** Polls the reply through nginx until it is `version`. */
async function until(port, version) {
  for (let i = 0; i < 2000; i++) {
    const text = await fetch(`http://127.0.0.1:${proxyPort}/wechat${port}/reply`).then(
      (response) => (response.ok ? response.text() : ""),
      () => "",
    );
    if (text === version) return;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  throw new Error(`the reply never became ${version} on port ${port}`);
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stdout}${result.stderr}`);
}

const steps = [];
async function wxdev(version) {
  writeFileSync(join(wxProject, "wechat.py"), app(wxPort, version));
  const start = performance.now();
  const deployed = spawn(process.execPath, [BIN, "deploy", "bench", "--json"], { cwd: wxProject, env });
  let json = "";
  deployed.stdout.on("data", (chunk) => (json += chunk));
  const exited = new Promise((resolve) => deployed.on("close", resolve));
  await until(wxPort, version);
  const took = performance.now() - start;
  if ((await exited) !== 0) throw new Error(`wxdev deploy failed: ${json}`);
  const result = JSON.parse(json);
  const up = result.app?.up;
  steps.push([
    ...result.steps.map(({ step, ms }) => [step, ms]),
    ["  of which: stop + start + port wait (one script)", (up?.start.seconds ?? 0) * 1000],
    ["  of which: handshake through nginx", up?.check?.latencyMs ?? 0],
  ]);
  return took;
}

/** wxdev deploy --watch, running: each edit is a save, timed to the new reply through nginx. */
async function watching() {
  const child = spawn(process.execPath, [BIN, "deploy", "bench", "--watch"], { cwd: wxProject, env });
  let stderr = "";
  let stdout = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  child.stdout.on("data", (chunk) => (stdout += chunk));
  for (let i = 0; i < 1200 && !/watching \d+ file/.test(stderr); i++) await new Promise((r) => setTimeout(r, 50));
  if (!/watching/.test(stderr)) throw new Error(`wxdev deploy --watch did not start: ${stdout}${stderr}`);
  const lines = () => stdout.split("\n").filter((line) => / → live in /.test(line));
  return {
    async edit(version) {
      const before = lines().length;
      writeFileSync(join(wxProject, "wechat.py"), app(wxPort, version));
      const start = performance.now();
      await until(wxPort, version);
      const took = performance.now() - start;
      // The next save comes once this deploy is through (its gate's settle, the verdict), as a person's next edit.
      for (let i = 0; i < 600 && lines().length <= before; i++) await new Promise((r) => setTimeout(r, 50));
      return took;
    },
    lines,
    stop: () =>
      new Promise((resolve) => {
        child.on("close", resolve);
        child.kill("SIGINT");
      }),
  };
}

// The README's recipe, with the pid kept so the kill is of the right process.
const handRestart =
  `kill $(cat ~/${remote}-hand.pid 2>/dev/null) 2>/dev/null; cd ~/${remote}-hand && ` +
  "source ~/.virtualenvs/wechat/bin/activate && " +
  `{ nohup python wechat.py > app.log 2>&1 < /dev/null & echo $! > ~/${remote}-hand.pid; }`;

async function byHand(version) {
  writeFileSync(join(handProject, "wechat.py"), app(handPort, version));
  const start = performance.now();
  run("rsync", ["-a", "-e", sshd.ssh, `${handProject}/`, `${USER}@127.0.0.1:${remote}-hand/`]);
  run("bash", ["-c", `${sshd.ssh} ${USER}@127.0.0.1 '${handRestart}'`]);
  await until(handPort, version);
  return performance.now() - start;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = { watch: [], wxdev: [], hand: [] };
let watchLines = [];
try {
  // The first of each is the setup (first upload, first start), not an edit: not measured.
  await wxdev("v0");
  steps.length = 0;
  await byHand("v0");
  for (let i = 1; i <= 5; i++) {
    rows.wxdev.push(await wxdev(`v${i}`));
    rows.hand.push(await byHand(`v${i}`));
  }
  const watch = await watching();
  for (let i = 6; i <= 10; i++) {
    rows.watch.push(await watch.edit(`v${i}`));
  }
  watchLines = watch.lines();
  await watch.stop();
} finally {
  spawnSync(process.execPath, [BIN, "stop", "bench"], { cwd: wxProject, env });
  spawnSync("bash", ["-c", `${sshd.ssh} ${USER}@127.0.0.1 'kill $(cat ~/${remote}-hand.pid)'`]);
  nginx.kill();
  sshd.stop();
}

const watched = median(rows.watch);
const ours = median(rows.wxdev);
const theirs = median(rows.hand);
const ms = (value) => `${value.toFixed(0).padStart(6)} ms`;
const verdict = (ok) => (ok ? "MET" : "NOT MET");
console.log("edit → live: one changed wechat.py (Flask in its venv) to the new reply through nginx, median of 5");
console.log(`  wxdev deploy --watch (save → new reply)       ${ms(watched)}  ${(watched / theirs).toFixed(2)}x`);
console.log(`  wxdev deploy (command → new reply)           ${ms(ours)}  ${(ours / theirs).toFixed(2)}x`);
console.log(`  rsync + ssh kill/nohup + polling             ${ms(theirs)}  1.00x`);
console.log(
  `  --watch <= 1000 ms: ${verdict(watched <= 1000)}; --watch <= 0.60x by hand: ${verdict(watched / theirs <= 0.6)}`,
);
console.log(`  one-off deploy <= 0.90x by hand: ${verdict(ours / theirs <= 0.9)}`);
console.log("where a one-off deploy's time goes (median of 5, ms):");
for (const [step] of steps.at(-1))
  console.log(`  ${step.padEnd(48)} ${ms(median(steps.map((run) => new Map(run).get(step) ?? 0)))}`);
console.log("what --watch printed:");
for (const line of watchLines) console.log(`  ${line}`);
