// One load client measured in a process of its own: `node load-client.js <autocannon|wxdev> <url>
// <connections> <seconds>`; warms up for 1 s, runs, sends its figures to the parent over IPC.
// A process each, because autocannon's pool of signed messages is hundreds of MB of garbage once
// its run ends: in a shared process its collection landed in whichever client ran next.
import { createTarget, runLoad } from "../../dist/index.js";
import { cannon, makePool, TOKEN } from "./harness.js";

const [kind, url, connectionsText, secondsText] = process.argv.slice(2);
const connections = Number(connectionsText);
const duration = Number(secondsText);

/** Runs `run` and adds this process's CPU time per request (user + system, µs) to its figures. */
async function measured(run) {
  const before = process.cpuUsage();
  const figures = await run();
  const cpu = process.cpuUsage(before);
  return { ...figures, cpuUsPerRequest: (cpu.user + cpu.system) / figures.requests };
}

async function autocannonRun() {
  await cannon(url, { connections, duration: 1 });
  const pool = makePool(url, 40_000 * duration); // before the clock: signing is not autocannon's work
  return measured(async () => {
    const result = await cannon(url, { connections, duration, pool });
    const { average: rps, total: requests } = result.requests;
    return { rps, requests, p50: result.latency.p50, p99: result.latency.p99, valid: undefined };
  });
}

async function wxdevRun() {
  // Load mode waits 10 s for an answer (wxdev simulate --count does the same).
  const target = createTarget({ url, token: TOKEN, timeoutMs: 10_000 });
  await runLoad({ target, concurrency: connections, durationS: 1 });
  return measured(async () => {
    const report = await runLoad({ target, concurrency: connections, durationS: duration });
    const { p50, p99 } = report.latencyMs;
    return { rps: report.requestsPerSecond, requests: report.sent, p50, p99, valid: report.replies.validXml };
  });
}

const figures = kind === "autocannon" ? await autocannonRun() : await wxdevRun();
process.send(figures, () => process.disconnect());
