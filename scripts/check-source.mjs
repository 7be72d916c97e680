// What Biome does not check in src/ (npm run lint runs this after it; another folder: its path as argument):
// no line over 120 columns (UTF-8 bytes), strings included, and no comment that records history ("as before",
// "moved to …") or quotes a timing (figures belong in the bench and the README, where they are measured again).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";

const MAX_COLUMNS = 120;
const HISTORY = /\bas before\b|\bmoved (to|from) \S*(\/|\.ts\b)|\bused to be\b|\bformerly\b|\bno longer\b/i;
const TIMING = /\d\s?(µs|ns)\b|~\s?\d[\d.,]*\s?ms\b|\d\s?-\s?~?\d[\d.]*\s?(µs|ms)\b/;
/** A line that is a comment, or the comment that ends a line of code. */
const COMMENT = /^\s*(\/\/|\/\*|\*)|\s\/\/\s/;

function sources(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : /\.(ts|js|mjs|cjs)$/.test(name) ? [path] : [];
  });
}

const problems = [];
const root = process.argv[2] ?? "src";
for (const file of sources(root)) {
  readFileSync(file, "utf8")
    .split("\n")
    .forEach((line, index) => {
      const where = `${file}:${index + 1}`;
      // In UTF-8 bytes: a Chinese string is then as long as byte-counting tools (awk, diff views) see it.
      const columns = Buffer.byteLength(line);
      if (columns > MAX_COLUMNS) problems.push(`${where}: ${columns} columns (at most ${MAX_COLUMNS})`);
      if (!COMMENT.test(line)) return;
      const comment = line.slice(line.search(COMMENT));
      if (HISTORY.test(comment)) problems.push(`${where}: a comment that tells history: say what is, not what was`);
      if (TIMING.test(comment)) problems.push(`${where}: a timing in a comment: measure it in npm run bench instead`);
    });
}
for (const problem of problems) console.error(problem);
if (problems.length > 0) {
  console.error(`${problems.length} problem(s) in ${root}/ (scripts/check-source.mjs)`);
  process.exit(1);
}
