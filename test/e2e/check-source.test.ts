import { spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { tempDirs } from "../helpers/temp.js";

const SCRIPT = new URL("../../scripts/check-source.mjs", import.meta.url).pathname;
const temp = tempDirs();

function check(files: Record<string, string>): { status: number | null; stderr: string } {
  const dir = temp("wxdev-check-source-");
  mkdirSync(join(dir, "core"), { recursive: true });
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  const result = spawnSync(process.execPath, [SCRIPT, dir], { encoding: "utf8" });
  return { status: result.status, stderr: result.stderr };
}

describe("npm run lint's check of src/ (scripts/check-source.mjs)", () => {
  it("passes the tree as it is", () => {
    const result = spawnSync(process.execPath, [SCRIPT], { encoding: "utf8", cwd: new URL("../..", import.meta.url) });
    expect(result.stderr).toBe("");
    expect(result.status).toBe(0);
  });

  it("120 columns pass, 121 fail, counted in UTF-8 bytes (a Chinese character is 3)", () => {
    expect(check({ "core/a.ts": `const a = "${"好".repeat(35)}";\n` }).status).toBe(0);
    expect(check({ "core/a.ts": `const a = "${"好".repeat(37)}";\n` }).stderr).toMatch(/core\/a\.ts:1: 124 columns/);
    const long = check({ "core/a.ts": `const a = "${"x".repeat(108)}";\n` });
    expect(long.status).toBe(1);
    expect(long.stderr).toMatch(/core\/a\.ts:1: 121 columns \(at most 120\)/);
  });

  it.each([
    ["// The settings are read here, as before.", "history"],
    ["/** The layout moved to core/remote/layout.ts. */", "history"],
    [" * parsing takes ~20 µs a message", "timing"],
    ["const x = 1; // a spread costs ~2.5 ms", "timing"],
    ["// that walk cost 30-50 ms per message", "timing"],
  ])("refuses %j (%s)", (line, what) => {
    const result = check({ "b.ts": `${line}\n` });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain(what === "history" ? "tells history" : "a timing in a comment");
  });

  it.each([
    "/** The log is moved to app.log.1 at a start. */",
    "/** WeChat retries 3 times, 5 s apart. */",
    "// polling every 50 ms",
    'const note = "as before"; // a string is no comment',
  ])("accepts %j", (line) => {
    expect(check({ "c.ts": `${line}\n` }).status).toBe(0);
  });
});
