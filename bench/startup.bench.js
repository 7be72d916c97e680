// CLI cold start: `wxdev --version` and `wxdev sign` next to a bare `node -e 0`,
// interleaved runs, median wall time. Target: within 1.3x of bare node.
import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/wxdev.js", import.meta.url));
const RUNS = 25;
const commands = {
  "node -e 0": ["-e", "0"],
  "wxdev --version": [BIN, "--version"],
  "wxdev sign": [BIN, "sign", "--token", "bench-token"],
  "wxdev --help": [BIN, "--help"],
};

function once(args) {
  const start = process.hrtime.bigint();
  const result = spawnSync(process.execPath, args, {
    stdio: ["ignore", "ignore", "pipe"],
    env: { ...process.env, NO_COLOR: "1" },
  });
  if (result.status !== 0) throw new Error(`${args.join(" ")} failed: ${result.stderr}`);
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const times = Object.fromEntries(Object.keys(commands).map((name) => [name, []]));
for (const args of Object.values(commands)) once(args);
for (let run = 0; run < RUNS; run++) {
  for (const [name, args] of Object.entries(commands)) times[name].push(once(args));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(times["node -e 0"]);
console.log(`cold start, median of ${RUNS} interleaved runs (output not a terminal)`);
for (const [name, values] of Object.entries(times)) {
  const ms = median(values);
  const ratio = ms / base;
  const verdict =
    name === "node -e 0" ? "" : ` ${ratio.toFixed(2)}x ${ratio <= 1.3 ? "MET" : "NOT MET"} (target <= 1.30x)`;
  console.log(`  ${name.padEnd(16)} ${ms.toFixed(1).padStart(7)} ms${verdict}`);
}
