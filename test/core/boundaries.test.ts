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
});
