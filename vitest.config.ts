import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The in-process tests run the sources; the few that spawn the binary get a fresh build.
    globalSetup: ["test/helpers/build-if-stale.ts"],
    // The usual report, then what was skipped and why (a run without root or a tool stays green and says so).
    reporters: ["default", "./test/helpers/skip-summary.ts"],
  },
});
