// Builds the browser pages (src/web/<page>/: main.ts, style.css, index.html) into dist/web/<page>/, which the
// core's servers serve (src/core/support/web-assets.ts). Part of `npm run bundle`; run alone with
// `node scripts/build-web.mjs` (the tests' global setup does, when only a page changed).
import { build } from "esbuild";
import { copyFileSync, existsSync, mkdirSync, readdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const ROOT = fileURLToPath(new URL("..", import.meta.url));

/** The pages: every folder of src/web with an index.html (src/web/shared/ and the like hold code only). */
export function webPages() {
  const dir = join(ROOT, "src/web");
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(dir, entry.name, "index.html")))
    .map((entry) => entry.name);
}

/** One page: its script and its stylesheet bundled (npm packages such as weui included), its HTML copied. */
async function buildPage(page) {
  const from = join(ROOT, "src/web", page);
  const to = join(ROOT, "dist/web", page);
  mkdirSync(to, { recursive: true });
  const common = { bundle: true, minify: true, logLevel: "warning", absWorkingDir: ROOT, legalComments: "none" };
  await Promise.all([
    build({
      ...common,
      entryPoints: [join(from, "main.ts")],
      outfile: join(to, "main.js"),
      format: "iife",
      target: "es2020",
      platform: "browser",
    }),
    existsSync(join(from, "style.css"))
      ? build({
          ...common,
          entryPoints: [join(from, "style.css")],
          outfile: join(to, "style.css"),
          loader: { ".svg": "dataurl", ".png": "dataurl" },
        })
      : undefined,
  ]);
  copyFileSync(join(from, "index.html"), join(to, "index.html"));
}

/** Builds every page. */
export async function buildWeb() {
  await Promise.all(webPages().map(buildPage));
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) await buildWeb();
