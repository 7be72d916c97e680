// wxdev's load mode vs autocannon against the same server with the same connection count.
// Target: wxdev >= 0.8x autocannon's requests/s (the load client must not be the bottleneck).
import { createTarget, runLoad } from "../dist/index.js";
import { cannon, startServer, TOKEN } from "./lib/harness.js";

const CONNECTIONS = 20;
const DURATION = 8;
const server = await startServer("wxdev");
// Load mode waits 10 s for an answer (wxdev simulate --count does the same).
const target = createTarget({ url: server.url, token: TOKEN, timeoutMs: 10_000 });
try {
  // Both clients warm up (JIT) before their measured run.
  await cannon(server.url, { connections: CONNECTIONS, duration: 1 });
  await runLoad({ target, concurrency: CONNECTIONS, durationS: 1 });
  const auto = await cannon(server.url, { connections: CONNECTIONS, duration: DURATION });
  const ours = await runLoad({ target, concurrency: CONNECTIONS, durationS: DURATION });
  console.log(
    `against wxdev serve, ${CONNECTIONS} connections, ${DURATION} s each, fresh signature and MsgId per request`,
  );
  console.log(
    "  autocannon        " +
      `${Math.round(auto.requests.average).toLocaleString("en-US").padStart(8)} req/s  p50 ` +
      `${auto.latency.p50} ms  p99 ${auto.latency.p99} ms`,
  );
  console.log(
    "  wxdev simulate    " +
      `${Math.round(ours.requestsPerSecond).toLocaleString("en-US").padStart(8)} req/s  p50 ` +
      `${ours.latencyMs.p50.toFixed(1)} ms  p99 ${ours.latencyMs.p99.toFixed(1)} ms  (every ` +
      `reply parsed and validated: ${ours.replies.validXml} valid)`,
  );
  const ratio = ours.requestsPerSecond / auto.requests.average;
  console.log(`  ratio wxdev / autocannon: ${ratio.toFixed(2)}x (target >= 0.80x) ${ratio >= 0.8 ? "MET" : "NOT MET"}`);
} finally {
  await server.stop();
}
