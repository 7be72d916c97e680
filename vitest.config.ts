import { readdirSync, readFileSync } from "node:fs";
import { availableParallelism } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import LongestFirst from "./test/helpers/sequencer.js";

/**
 * What starts another program (the built binary, a server process, sshd, nginx, Chromium, tmux, bash): a test file
 * that does none of it runs in process.
 */
const STARTS_A_PROCESS =
  /runCli\(|\bBIN\b|helpers\/(processes|wechat-servers|sshd|classroom|browser|tmux|tunnel-rig|local-server)\.js|spawn|execFile/;

/** The test files of test/core and test/cli that run entirely in this process: `npm run test:unit`. */
function inProcess(): string[] {
  return ["test/core", "test/cli"].flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => join(folder, name))
      .filter((file) => !STARTS_A_PROCESS.test(readFileSync(file, "utf8"))),
  );
}

const IN_PROCESS = inProcess();

/** Threads for the in-process files: they compute, so one a core. */
const THREADS = Math.max(2, availableParallelism());

/**
 * Processes for the other files at once. vitest's default is one fewer than the cores, so a 2-core machine would
 * run one file at a time; most of them spend their time waiting on what they started (sshd, nginx, Flask,
 * Chromium, a bash), so several share two cores well.
 */
const FORKS = Math.max(4, availableParallelism());

export default defineConfig({
  test: {
    testTimeout: 60_000,
    hookTimeout: 60_000,
    // The usual report, then what was skipped and why (a run without root or a tool stays green and says so).
    reporters: ["default", "./test/helpers/skip-summary.ts"],
    sequence: { sequencer: LongestFirst },
    poolOptions: {
      // In-process files share their workers and the modules loaded there (no fresh worker or import per file).
      // Each pool keeps every worker (min = max): one it let go when idle could already have been given a file.
      threads: { isolate: false, maxThreads: THREADS, minThreads: THREADS },
      // The rest in processes of their own (they start servers, accounts, browsers), each running file after file
      // too: a fresh process and import per file cost more than all their own work in many of them.
      forks: { isolate: false, maxForks: FORKS, minForks: FORKS },
    },
    projects: [
      {
        extends: true,
        test: { name: "in-process", include: IN_PROCESS, pool: "threads" },
      },
      {
        extends: true,
        test: {
          name: "processes",
          include: ["test/**/*.test.ts"],
          exclude: IN_PROCESS,
          pool: "forks",
          // These spawn the binary or load the built pages: a fresh build first when the sources changed.
          globalSetup: ["test/helpers/build-if-stale.ts"],
        },
      },
    ],
  },
});
