import { execFileSync } from "node:child_process";
import { existsSync, readdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const BUNDLE = join(ROOT, "dist/bundle/wxdev.cjs");

const WEB = join(ROOT, "src/web");
const WEB_BUILT = join(ROOT, "dist/web");

/** The newest file's time under `dir` (0 for none), leaving out what is under `except`. */
function newestIn(dir: string, except?: string): number {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    const path = join(entry.parentPath, entry.name);
    if (entry.isFile() && (except === undefined || !path.startsWith(except)))
      newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

/** The oldest built page file's time (0 when a page is not built). */
function oldestBuiltPage(): number {
  if (!existsSync(WEB_BUILT)) return 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (const entry of readdirSync(WEB_BUILT, { withFileTypes: true, recursive: true }))
    if (entry.isFile()) oldest = Math.min(oldest, statSync(join(entry.parentPath, entry.name)).mtimeMs);
  return Number.isFinite(oldest) ? oldest : 0;
}

/**
 * vitest's global setup: the end-to-end tests spawn the built binary and the browser tests load the built pages,
 * so a plain `vitest` after an edit rebuilds them first rather than testing the previous build (a no-op under
 * `npm test`, which builds).
 */
export default function setup(): void {
  const built = existsSync(BUNDLE) ? statSync(BUNDLE).mtimeMs : 0;
  const codeFresh = newestIn(join(ROOT, "src"), WEB) <= built && statSync(join(ROOT, "package.json")).mtimeMs <= built;
  if (!codeFresh) execFileSync("npm", ["run", "build"], { cwd: ROOT, stdio: "inherit" });
  // The pages alone (the browser tests run them from dist/web/): esbuild, well under a second.
  else if (newestIn(WEB) > oldestBuiltPage())
    execFileSync(process.execPath, [join(ROOT, "scripts/build-web.mjs")], { cwd: ROOT, stdio: "inherit" });
}
