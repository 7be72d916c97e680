import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { type DeployEvent, deploy } from "../../src/core/deploy/deploy.js";
import { hashFiles, scanProject } from "../../src/core/deploy/manifest.js";
import type { RemoteShell } from "../../src/core/remote/shell.js";

const folders: string[] = [];
afterAll(() => {
  for (const path of folders) rmSync(path, { recursive: true, force: true });
});

function project(): string {
  const root = mkdtempSync(join(tmpdir(), "wxdev-state-"));
  folders.push(root);
  writeFileSync(join(root, "wechat.py"), "print('hi')\n");
  writeFileSync(join(root, "app.db"), "secret rows\n");
  return root;
}

describe("an ignore file that exists but cannot be read stops the scan, naming it", () => {
  it("a root .gitignore that is a folder (EISDIR) is an error, not an empty list", async () => {
    const root = project();
    mkdirSync(join(root, ".gitignore"));
    await expect(scanProject({ root })).rejects.toThrow(`cannot read ${join(root, ".gitignore")}: EISDIR`);
  });

  it("so is a nested one, and .wxdevignore; a missing one is no rules", async () => {
    const root = project();
    mkdirSync(join(root, "lib", ".gitignore"), { recursive: true });
    await expect(scanProject({ root })).rejects.toThrow(`cannot read ${join(root, "lib", ".gitignore")}: EISDIR`);
    const other = project();
    mkdirSync(join(other, ".wxdevignore"));
    await expect(scanProject({ root: other })).rejects.toThrow(/\.wxdevignore: EISDIR/);
    expect(Object.keys(await scanProject({ root: project() })).sort()).toEqual(["app.db", "wechat.py"]);
  });
});

describe("the server's manifest", () => {
  /** A server whose live release holds `manifest` as its record of the last deploy. */
  const serverWith = (manifest: string): RemoteShell => ({
    exec: async () => ({ code: 0, stdout: `link /home/tom/.app.wxdev/releases/r1\n${manifest}\n`, stderr: "" }),
  });
  const server = { host: "example.test", username: "tom", remoteDir: "~/app/" };

  async function dryRun(manifest: string): Promise<{ warnings: string[]; upload: string[]; unchanged: string[] }> {
    const root = project();
    const events: DeployEvent[] = [];
    const known = JSON.stringify(hashFiles(root, ["wechat.py"]));
    const result = await deploy({
      shell: serverWith(manifest.replace("KNOWN", known)),
      server,
      root,
      dryRun: true,
      onEvent: (event) => events.push(event),
    });
    const warnings = events.flatMap((event) => (event.type === "warning" ? [event.message] : []));
    return { warnings, upload: result.plan.upload, unchanged: result.plan.unchanged };
  }

  it("a readable one is used quietly", async () => {
    expect(await dryRun("KNOWN")).toEqual({ warnings: [], upload: ["app.db"], unchanged: ["wechat.py"] });
  });

  it.each([
    ["not JSON", '{"wechat.py": {"size": 1', /\(not JSON: /],
    ["not an object", "[1, 2]", /\(not an object of files\)/],
    ["an entry without a hash", '{"wechat.py": {"size": 12}}', /\(an entry without a sha256\)/],
  ])("a corrupt one (%s) is a warning naming the file; everything goes up again", async (_what, manifest, problem) => {
    const { warnings, upload } = await dryRun(manifest);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(problem);
    expect(warnings[0]).toContain("(~/app/.wxdev/manifest.json) is unusable");
    expect(warnings[0]).toMatch(/every file is uploaded again, and --delete cannot tell/);
    expect(upload.sort()).toEqual(["app.db", "wechat.py"]);
  });
});
