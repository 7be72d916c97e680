import { execFileSync, spawn, spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync } from "node:fs";
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
  let installed: { stdout: string; stderr: string };
  let prefix: string;

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), "wxdev-pack-"));
    const packed = execFileSync("npm", ["pack", "--ignore-scripts", "--json", "--pack-destination", work], {
      cwd: ROOT,
      encoding: "utf8",
    });
    const [info] = JSON.parse(packed) as { filename: string; files: { path: string }[] }[];
    tarball = join(work, info!.filename);
    prefix = join(work, "prefix");
    const install = spawnSync(
      "npm",
      ["install", "--global", "--prefix", prefix, "--no-audit", "--no-fund", "--loglevel=warn", tarball],
      { cwd: work, encoding: "utf8" },
    );
    expect(install.status, install.stderr).toBe(0);
    installed = { stdout: install.stdout, stderr: install.stderr };
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

  it("holds only what bin/ runs, the library and its types (no ESM copy of the CLI)", () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n").filter(Boolean);
    const shipped =
      /^package\/(bin\/|dist\/bundle\/.*\.cjs$|dist\/library\.js$|dist\/.*\.d\.ts$|dist\/web\/[\w-]+\/[\w.-]+$|[A-Z]+\.md$|LICENSE$|package\.json$)/;
    expect(listing.filter((path) => !shipped.test(path))).toEqual([]);
    expect(listing.filter((path) => path.startsWith("package/dist/cli/"))).toEqual([]);
  });

  it("holds the built phone page, and the installed wxdev mock serves it at the address it prints", async () => {
    const listing = execFileSync("tar", ["-tzf", tarball], { encoding: "utf8" }).split("\n");
    for (const file of ["index.html", "main.js", "style.css"])
      expect(listing).toContain(`package/dist/web/phone/${file}`);
    const mock = spawn(wxdev, ["mock", "--port", "0"], { env: cleanEnv(), stdio: ["ignore", "pipe", "pipe"] });
    try {
      let output = "";
      const phone = await new Promise<string>((resolve, reject) => {
        mock.stdout.on("data", (chunk: Buffer) => {
          output += chunk.toString();
          const found = /Phone: (http:\/\/\S+)/.exec(output);
          if (found?.[1]) resolve(found[1]);
        });
        mock.on("exit", () => reject(new Error(`the mock stopped: ${output}`)));
      });
      const page = await fetch(`${phone}/`);
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("./main.js");
      const script = await fetch(`${phone}/main.js`);
      expect(script.headers.get("content-type")).toBe("text/javascript; charset=utf-8");
    } finally {
      mock.kill();
    }
  });

  it("installs with no warning and runs no install script", () => {
    expect(installed.stderr).toBe("");
    expect(installed.stdout).not.toMatch(/warn|install script/i);
  });

  it("the library loads from the installed package by its name", () => {
    const project = join(work, "project");
    mkdirSync(join(project, "node_modules"), { recursive: true });
    symlinkSync(join(prefix, "lib", "node_modules", "wxdev"), join(project, "node_modules", "wxdev"));
    const script = 'import("wxdev").then((w) => console.log(w.signature("test", "1410685589", "test")))';
    const result = spawnSync(process.execPath, ["-e", script], { cwd: project, env: cleanEnv(), encoding: "utf8" });
    expect(result.stderr).toBe("");
    expect(result.stdout.trim()).toBe("f21891de399b4e33a1a93c9a7b8a8fffb5a443ff");
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
