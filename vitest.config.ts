import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: "forks",
    // The in-process tests run the sources; the few that spawn the binary get a fresh build.
    globalSetup: ["test/helpers/build-if-stale.ts"],
  },
});
