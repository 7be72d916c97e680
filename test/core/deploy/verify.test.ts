import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashFiles } from "../../../src/core/deploy/manifest.js";
import { remoteLayout } from "../../../src/core/remote/layout.js";
import type { RemoteShell } from "../../../src/core/remote/shell.js";
import { verifyUpload } from "../../../src/core/remote/releases/verify.js";
import { tempDirs } from "../../helpers/temp.js";

const temp = tempDirs();

describe("verifyUpload", () => {
  // The server side is the real script under a real sh; only the SSH transport is left out.
  const localShell: RemoteShell = {
    exec: async (command, options = {}) => {
      const result = spawnSync("sh", ["-c", command], {
        input: typeof options.stdin === "string" ? options.stdin : undefined,
        env: { ...process.env, HOME: home },
      });
      return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
    },
  };
  const home = temp("wxdev-verify-");

  it("passes when the unpacked files hash as the manifest says, and names a missing or different one", async () => {
    const layout = remoteLayout("~/app");
    const release = join(home, ".app.wxdev", "releases", "r1.partial");
    mkdirSync(join(release, "odd dir"), { recursive: true });
    writeFileSync(join(release, "a.py"), "a");
    writeFileSync(join(release, "odd dir", "b\nc.txt"), "b");
    const root = temp("wxdev-verify-local-");
    mkdirSync(join(root, "odd dir"));
    writeFileSync(join(root, "a.py"), "a");
    writeFileSync(join(root, "odd dir", "b\nc.txt"), "b");
    writeFileSync(join(root, "gone.txt"), "g");
    const local = hashFiles(root, ["a.py", "odd dir/b\nc.txt", "gone.txt"]);
    await expect(verifyUpload(localShell, layout, "r1", ["a.py", "odd dir/b\nc.txt"], local)).resolves.toBeUndefined();
    await expect(verifyUpload(localShell, layout, "r1", ["a.py", "gone.txt"], local)).rejects.toThrow(
      /1 of 2 file\(s\) missing or different on the server \(first: gone\.txt\)/,
    );
    writeFileSync(join(release, "a.py"), "changed");
    await expect(verifyUpload(localShell, layout, "r1", ["a.py"], local)).rejects.toThrow(/first: a\.py/);
  });
});
