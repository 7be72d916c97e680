// Messages per second of the same echo bot: wxdev serve vs node-webot on express, with the
// bare node:http ceiling. autocannon, 50 connections, each request a freshly signed message
// with its own MsgId. Target: wxdev >= 3x webot, with no errors.
import { cannon, startServer } from "./lib/harness.js";

const CONNECTIONS = 50;
const DURATION = 8;
const rows = [];
for (const kind of ["wxdev", "webot", "bare"]) {
  const server = await startServer(kind);
  try {
    await cannon(server.url, { connections: CONNECTIONS, duration: 1 }); // warm up
    const result = await cannon(server.url, { connections: CONNECTIONS, duration: DURATION });
    rows.push({ kind, rps: result.requests.average, p50: result.latency.p50, p99: result.latency.p99, errors: result.errors + result.timeouts, non2xx: result.non2xx });
  } finally {
    await server.stop();
  }
}
console.log(`echo bot under autocannon (${CONNECTIONS} connections, ${DURATION} s each, fresh signature and MsgId per request)`);
for (const row of rows) {
  console.log(`  ${row.kind.padEnd(6)} ${Math.round(row.rps).toLocaleString("en-US").padStart(8)} msg/s   p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}`);
}
const [wxdev, webot, bare] = rows;
const ratio = wxdev.rps / webot.rps;
console.log(`  ratio wxdev / webot: ${ratio.toFixed(2)}x (target >= 3.00x) ${ratio >= 3 && wxdev.errors === 0 && wxdev.non2xx === 0 ? "MET" : "NOT MET"}`);
console.log(`  wxdev reaches ${((wxdev.rps / bare.rps) * 100).toFixed(0)}% of the bare node:http ceiling`);
