// Messages per second of the same echo bot: wxdev's server vs node-webot on express, with the
// bare node:http ceiling. autocannon, 50 connections, each request a freshly signed message
// with its own MsgId. `wxdev` is the in-process server (createWechatServer, nobody listening to
// exchanges); `cli` is `wxdev serve` as users run it, one log line per exchange into a file.
// Targets: wxdev >= 3x webot with no errors; the CLI >= 0.7x the bare server.
import { measure, startServer } from "./lib/harness.js";

const CONNECTIONS = 50;
const DURATION = 6;
const KINDS = ["wxdev", "cli", "webot", "bare"];
const ROUNDS = 2;
// Interleaved rounds, the better of each kind's runs: whichever server goes first otherwise pays for
// the load generator warming up, and a busy moment of the machine hits one kind only.
const runs = Object.fromEntries(KINDS.map((kind) => [kind, []]));
for (let round = 0; round < ROUNDS; round++) {
  for (const kind of KINDS) {
    const server = await startServer(kind === "cli" ? "wxdev-cli" : kind);
    try {
      runs[kind].push(await measure(kind, server.url, { connections: CONNECTIONS, duration: DURATION }));
    } finally {
      await server.stop();
    }
  }
}
const rows = KINDS.map((kind) => runs[kind].reduce((best, run) => (run.rps > best.rps ? run : best)));
console.log(
  `echo bot under autocannon (${CONNECTIONS} connections, ${DURATION} s each, the better of ${ROUNDS} ` +
    "interleaved rounds, fresh signature and MsgId per request)",
);
for (const row of rows) {
  console.log(
    `  ${row.kind.padEnd(6)} ${Math.round(row.rps).toLocaleString("en-US").padStart(8)} msg/s  ` +
      ` p50 ${row.p50} ms  p99 ${row.p99} ms  errors ${row.errors}  non-2xx ${row.non2xx}`,
  );
}
const [wxdev, cli, webot, bare] = rows;
const ratio = wxdev.rps / webot.rps;
console.log(
  `  ratio wxdev / webot: ${ratio.toFixed(2)}x (target >= 3.00x) ` +
    `${ratio >= 3 && wxdev.errors === 0 && wxdev.non2xx === 0 ? "MET" : "NOT MET"}`,
);
console.log(`  wxdev reaches ${((wxdev.rps / bare.rps) * 100).toFixed(0)}% of the bare node:http ceiling`);
const cliRatio = cli.rps / bare.rps;
const cliClean = cli.errors === 0 && cli.non2xx === 0;
console.log(
  `  ratio wxdev serve (CLI, logging to a file) / bare: ${cliRatio.toFixed(2)}x (target >= ` +
    `0.70x) ${cliRatio >= 0.7 && cliClean ? "MET" : "NOT MET"}`,
);
