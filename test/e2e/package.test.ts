import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanEnv } from "../helpers/cli.js";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const VERSION = (JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { version: string }).version;

// What a user gets from `npm pack` + `npm install -g`: the tarball alone, its runtime
// dependencies from the registry, and no dev dependency to lean on.
describe("the packed package, installed into a fresh prefix", () => {
  let work: string;
  let tarball: string;
  let wxdev: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "wxdev-pack-"));
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const [info] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    const prefix = join(work, "prefix");
    execFileSync(
      "npm",
      ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=error", tarball],
      { cwd: work, stdio: "pipe" },
    );
    wxdev = join(prefix, "bin", "wxdev");
  }, 180_000);

  afterAll(() => rmSync(work, { recursive: true, force: true }));

  const run = (args: string[]) => {
    const elsewhere = mkdtempSync(join(tmpdir(), "wxdev-student-"));
    try {
      return spawnSync(wxdev, args, { cwd: elsewhere, env: cleanEnv(), encoding: "utf8", timeout: 30_000 });
    } finally {
      rmSync(elsewhere, { recursive: true, force: true });
    }
  };

  it("holds bin/ and the built code, and no tests or sources", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    expect(listing).toContain("package/bin/wxdev.cjs");
    expect(listing).toContain("package/dist/bundle/wxdev.cjs");
    expect(listing).toContain("package/LICENSE");
    expect(listing.filter((path) => /^package\/(test|src|bench|\.ci)\//.test(path))).toEqual([]);
  });

  it("runs --version, demo and deploy --help from another folder", () => {
    const version = run(["--version"]);
    expect(version.stderr).toBe("");
    expect(version.stdout.trim()).toBe(VERSION);
    expect(version.status).toBe(0);

    const demo = run(["demo"]);
    expect(demo.stdout).toContain("demo complete");
    expect(demo.status).toBe(0);

    const help = run(["deploy", "--help"]);
    expect(help.stdout).toMatch(/Usage: wxdev deploy/);
    expect(help.status).toBe(0);
  });
});
