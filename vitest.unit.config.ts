import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import base from "./vitest.config.js";

/**
 * What starts another program (the built binary, a server process, sshd, nginx, Chromium, tmux, bash): a test file
 * that does none of it runs in the inner loop.
 */
const STARTS_A_PROCESS =
  /runCli\(|\bBIN\b|helpers\/(processes|wechat-servers|sshd|classroom|browser|tmux|tunnel-rig|local-server)\.js|spawn|execFile/;

/** The test files of test/core and test/cli that run entirely in this process. */
function inProcess(): string[] {
  return ["test/core", "test/cli"].flatMap((folder) =>
    readdirSync(folder, { recursive: true, encoding: "utf8" })
      .filter((name) => name.endsWith(".test.ts"))
      .map((name) => join(folder, name))
      .filter((file) => !STARTS_A_PROCESS.test(readFileSync(file, "utf8"))),
  );
}

/** `npm run test:unit`: the inner loop, pure and in-process tests only; `npm test` runs every tier. */
export default defineConfig({
  ...base,
  test: {
    ...base.test,
    include: inProcess(),
    // Nothing here spawns the binary: no build first.
    globalSetup: [],
  },
});
