// Deploying a tree of 2,000 small files to a local sshd: wxdev deploy next to rsync -a over ssh
// and scp -r, in the same run (median of 3, wall time of the whole command).
// Targets: first deploy <= 1.5x rsync; unchanged re-deploy <= 1.5x rsync's no-op.
import { execSync, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { sshdMissing, startSshd, USER } from "./lib/sshd.js";

const BIN = fileURLToPath(new URL("../bin/wxdev.cjs", import.meta.url));
const missing = sshdMissing();
if (missing) {
  console.log(`skipped: ${missing}`);
  process.exit(0);
}

const sshd = await startSshd();
const project = mkdtempSync(join(tmpdir(), "wxdev-bench-tree-"));
for (let d = 0; d < 20; d++) {
  mkdirSync(join(project, `dir${d}`));
  for (let f = 0; f < 100; f++)
    writeFileSync(join(project, `dir${d}`, `file${f}.py`), `# file ${d}/${f}\n${"x = 1\n".repeat(30)}`);
}
const home = mkdtempSync(join(tmpdir(), "wxdev-bench-home-"));
mkdirSync(join(home, ".ssh"));
execSync(`cp ${sshd.knownHosts} ${join(home, ".ssh", "known_hosts")}`);

function timed(command, args, options = {}) {
  const start = process.hrtime.bigint();
  const result = spawnSync(command, args, { stdio: ["ignore", "pipe", "pipe"], ...options });
  if (result.status !== 0) throw new Error(`${command} ${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const rows = { "wxdev first": [], "rsync first": [], "scp -r first": [], "wxdev unchanged": [], "rsync unchanged": [] };
for (let run = 0; run < 3; run++) {
  const remote = `bench-${process.pid}-${run}`;
  writeFileSync(
    join(project, "wxdev.config.json"),
    JSON.stringify({
      servers: {
        bench: {
          host: "127.0.0.1",
          port: sshd.port,
          username: USER,
          remoteDir: `~/${remote}-wxdev`,
          privateKey: sshd.key,
        },
      },
    }),
  );
  const env = { ...process.env, HOME: home, NO_COLOR: "1" };
  delete env.SSH_AUTH_SOCK;
  rows["wxdev first"].push(timed(process.execPath, [BIN, "deploy", "bench"], { cwd: project, env }));
  rows["wxdev unchanged"].push(timed(process.execPath, [BIN, "deploy", "bench"], { cwd: project, env }));
  const target = `${USER}@127.0.0.1:${remote}-rsync/`;
  rows["rsync first"].push(
    timed("rsync", ["-a", "--exclude", "wxdev.config.json", "-e", sshd.ssh, `${project}/`, target]),
  );
  rows["rsync unchanged"].push(
    timed("rsync", ["-a", "--exclude", "wxdev.config.json", "-e", sshd.ssh, `${project}/`, target]),
  );
  rows["scp -r first"].push(
    timed("scp", [
      "-q",
      "-r",
      "-P",
      String(sshd.port),
      "-i",
      sshd.key,
      "-o",
      `UserKnownHostsFile=${sshd.knownHosts}`,
      "-o",
      "BatchMode=yes",
      project,
      `${USER}@127.0.0.1:${remote}-scp`,
    ]),
  );
}
sshd.stop();

console.log("2,000 small files to a local sshd, wall time of the whole command, median of 3");
for (const [name, values] of Object.entries(rows))
  console.log(`  ${name.padEnd(16)} ${median(values).toFixed(0).padStart(6)} ms`);
const first = median(rows["wxdev first"]) / median(rows["rsync first"]);
const again = median(rows["wxdev unchanged"]) / median(rows["rsync unchanged"]);
console.log(`  first deploy: wxdev / rsync ${first.toFixed(2)}x (target <= 1.50x) ${first <= 1.5 ? "MET" : "NOT MET"}`);
console.log(`  unchanged:    wxdev / rsync ${again.toFixed(2)}x (target <= 1.50x) ${again <= 1.5 ? "MET" : "NOT MET"}`);
