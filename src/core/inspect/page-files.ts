import { readdirSync, readFileSync } from "node:fs";
import { extname, join } from "node:path";

/** A built page's files in memory, by URL path (`/`, `/app.js`…), with their content types. */
export type PageFiles = ReadonlyMap<string, { type: string; body: Buffer }>;

const TYPES: Record<string, string> = {
  ".html": "text/html; charset=utf-8",
  ".js": "text/javascript; charset=utf-8",
  ".css": "text/css; charset=utf-8",
  ".png": "image/png",
  ".svg": "image/svg+xml",
};

/**
 * Reads a built page's folder (index.html and what esbuild made beside it) once: the files are small, and a server
 * that serves only these never maps a request path onto the disk. A folder that is missing gives a page saying so.
 */
export function loadPageFiles(dir: string): PageFiles {
  const files = new Map<string, { type: string; body: Buffer }>();
  let names: string[];
  try {
    names = readdirSync(dir);
  } catch {
    names = [];
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    if (type !== undefined) files.set(`/${name}`, { type, body: readFileSync(join(dir, name)) });
  }
  const index = files.get("/index.html") ?? {
    type: TYPES[".html"] as string,
    body: Buffer.from(`<!doctype html><title>wxdev</title><p>The page is not built: run npm run build.</p>`),
  };
  files.set("/", index);
  return files;
}
