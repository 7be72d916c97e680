// wxdev's load mode vs autocannon against the same server with the same connection count.
// Target: wxdev >= 0.8x autocannon's requests/s (the load client must not be the bottleneck).
// Each client runs in a fresh process of its own (bench/lib/load-client.js); the CPU each spends
// per request is printed too: on a shared machine it is the steadier figure of the two.
import { fork } from "node:child_process";
import { fileURLToPath } from "node:url";
import { startServer } from "./lib/harness.js";

const CONNECTIONS = 20;
const DURATION = 8;
const CLIENT = fileURLToPath(new URL("./lib/load-client.js", import.meta.url));

/** Runs one client in its own process; resolves with its figures. */
function runClient(kind, url) {
  const child = fork(CLIENT, [kind, url, String(CONNECTIONS), String(DURATION)], { stdio: "inherit" });
  return new Promise((resolve, reject) => {
    child.once("message", resolve);
    child.once("exit", (code) => reject(new Error(`the ${kind} client exited with ${code}`)));
  });
}

function row(name, figures, note = "") {
  const rps = Math.round(figures.rps).toLocaleString("en-US").padStart(8);
  const cpu = `${figures.cpuUsPerRequest.toFixed(1)} µs CPU/request`;
  return `  ${name.padEnd(17)} ${rps} req/s  p50 ${figures.p50.toFixed(1)} ms  p99 ${figures.p99.toFixed(1)} ms  ${cpu}${note}`;
}

const server = await startServer("wxdev");
try {
  const auto = await runClient("autocannon", server.url);
  const ours = await runClient("wxdev", server.url);
  console.log(
    `against wxdev serve, ${CONNECTIONS} connections, ${DURATION} s each, fresh signature and MsgId per request`,
  );
  console.log(row("autocannon", auto));
  console.log(row("wxdev simulate", ours, `  (every reply parsed and validated: ${ours.valid} valid)`));
  const ratio = ours.rps / auto.rps;
  console.log(`  ratio wxdev / autocannon: ${ratio.toFixed(2)}x (target >= 0.80x) ${ratio >= 0.8 ? "MET" : "NOT MET"}`);
  const cpuRatio = auto.cpuUsPerRequest / ours.cpuUsPerRequest;
  console.log(
    `  CPU per request, autocannon / wxdev: ${cpuRatio.toFixed(2)}x (the ratio where the client is the limit)`,
  );
} finally {
  await server.stop();
}
