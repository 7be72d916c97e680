import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const CORE = fileURLToPath(new URL("../../src/core", import.meta.url));

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith(".ts") ? [path] : [];
  });
}

// The core is a library: it returns values and throws typed errors; only the CLI prints or exits.
const FORBIDDEN: [string, RegExp][] = [
  ["console output", /\bconsole\.\w+\s*\(/],
  ["process.exit", /\bprocess\.exit\b/],
  ["process.exitCode", /\bprocess\.exitCode\b/],
  ["environment reads", /\bprocess\.env\b/],
  ["argv reads", /\bprocess\.argv\b/],
  ["stdout/stderr writes", /\bprocess\.std(out|err)\b/],
  ["the CLI layer", /from\s+["'][^"']*\/cli\//],
  ["commander", /from\s+["']commander["']/],
  ["chalk", /from\s+["']chalk["']/],
];

describe("src/core boundaries", () => {
  const files = sources(CORE);

  it("has source files to check", () => {
    expect(files.length).toBeGreaterThan(5);
  });

  it.each(FORBIDDEN)("no core file uses %s", (_what, pattern) => {
    const offenders = files.filter((file) =>
      readFileSync(file, "utf8")
        .split("\n")
        .some((line) => !line.trim().startsWith("//") && !line.trim().startsWith("*") && pattern.test(line)),
    );
    expect(offenders).toEqual([]);
  });

  // A flag is one front end's word: a core hint says what to change and names it as `input` (the CLI adds
  // its flag). A hint may still quote a whole command to run (`wxdev deploy <server> --dry-run`).
  it("no core hint names a flag", () => {
    const HINT = /hint:\s*((?:(["'`])(?:(?!\2)[\s\S])*\2\s*\+?\s*)+)/g;
    const offenders = files.flatMap((file) =>
      [...readFileSync(file, "utf8").matchAll(HINT)]
        .map((match) => match[1] ?? "")
        .filter((hint) => /(^|[\s("'`])--[a-z]/.test(hint) && !hint.includes("wxdev "))
        .map((hint) => `${file.slice(CORE.length)}: ${hint.trim()}`),
    );
    expect(offenders).toEqual([]);
  });
});
