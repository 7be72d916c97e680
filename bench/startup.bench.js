// CLI cold start: each command up to its action next to a bare `node -e 0`, interleaved runs,
// median wall time. Targets: --version and --help within 1.2x of bare node, a command's
// start-up within 1.3x (sign and verify do their whole, tiny job; --help stops at the action).
import { spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import { fileURLToPath } from "node:url";

const BIN = fileURLToPath(new URL("../bin/wxdev.cjs", import.meta.url));
const RUNS = 25;
const signature = createHash("sha1").update(["1", "n", "bench-token"].sort().join("")).digest("hex");
const commands = {
  "node -e 0": { args: ["-e", "0"] },
  "wxdev --version": { args: [BIN, "--version"], target: 1.2 },
  "wxdev --help": { args: [BIN, "--help"], target: 1.2 },
  "wxdev sign": { args: [BIN, "sign", "--token", "bench-token"], target: 1.3 },
  "wxdev verify": {
    args: [BIN, "verify", "--token", "bench-token", "--timestamp", "1", "--nonce", "n", "--signature", signature],
    target: 1.3,
  },
  "wxdev simulate --help": { args: [BIN, "simulate", "--help"], target: 1.3 },
  "wxdev deploy --help": { args: [BIN, "deploy", "--help"], target: 1.3 },
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
for (const { args } of Object.values(commands)) once(args);
for (let run = 0; run < RUNS; run++) {
  for (const [name, { args }] of Object.entries(commands)) times[name].push(once(args));
}
const median = (values) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const base = median(times["node -e 0"]);
console.log(`cold start, median of ${RUNS} interleaved runs (output not a terminal)`);
for (const [name, values] of Object.entries(times)) {
  const ms = median(values);
  const { target } = commands[name];
  const ratio = ms / base;
  const verdict =
    target === undefined
      ? ""
      : ` ${ratio.toFixed(2)}x ${ratio <= target ? "MET" : "NOT MET"} (target <= ${target.toFixed(2)}x)`;
  console.log(`  ${name.padEnd(22)} ${ms.toFixed(1).padStart(7)} ms${verdict}`);
}
