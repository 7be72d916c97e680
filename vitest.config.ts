import { availableParallelism } from "node:os";
import { defineConfig } from "vitest/config";

/**
 * Test files at once. vitest's default is one fewer than the cores, so a 2-core machine would run one file at a
 * time; most files spend their time waiting on what they started (sshd, nginx, Flask, Chromium, a bash), so
 * four share two cores well.
 */
const WORKERS = Math.max(4, availableParallelism());

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 60_000,
    hookTimeout: 60_000,
    pool: "forks",
    maxWorkers: WORKERS,
    // The in-process tests run the sources; the few that spawn the binary get a fresh build.
    globalSetup: ["test/helpers/build-if-stale.ts"],
    // The usual report, then what was skipped and why (a run without root or a tool stays green and says so).
    reporters: ["default", "./test/helpers/skip-summary.ts"],
  },
});
