import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUNDLE = join(ROOT, "dist/bundle/wxdev.cjs");

function newestIn(dir: string): number {
  let newest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (entry.isFile()) newest = Math.max(newest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  }
  return newest;
}

/**
 * vitest's global setup: the end-to-end tests spawn the built binary, so a plain `vitest` after an
 * edit rebuilds it first rather than testing the previous build (a no-op under `npm test`, which builds).
 */
export default function setup(): void {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  if (newestIn(join(ROOT, "src")) <= built && statSync(join(ROOT, "package.json")).mtimeMs <= built) return;
  execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
}
