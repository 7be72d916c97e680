// Writes test/durations.json from vitest's record of the last run (node_modules/.vite/vitest/*/results.json): how
// long each test file took, so that a fresh checkout (CI) starts its longest files first too (test/helpers/sequencer.ts).
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const cache = "node_modules/.vite/vitest";
const newest = readdirSync(cache)
  .map((dir) => join(cache, dir, "results.json"))
  .filter((file) => {
    try {
      return statSync(file).isFile();
    } catch {
      return false;
    }
  })
  .sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs)[0];
if (newest === undefined) {
  console.error("no vitest record yet: run npm test first");
  process.exit(1);
}
const durations = {};
for (const [key, { duration }] of JSON.parse(readFileSync(newest, "utf8")).results) {
  const file = key.slice(key.indexOf(":") + 1);
  // A project's file (not a run of single files outside the projects), still in the tree.
  if (key.indexOf(":") > 0 && typeof duration === "number" && existsSync(file)) durations[file] = Math.round(duration);
}
const sorted = Object.fromEntries(Object.entries(durations).sort(([a], [b]) => a.localeCompare(b)));
writeFileSync("test/durations.json", `${JSON.stringify(sorted, null, 2)}\n`);
console.log(`test/durations.json: ${Object.keys(sorted).length} files`);
