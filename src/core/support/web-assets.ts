import { createHash } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

/** What a server writes back for a page's file (the server adds nothing). */
export interface WebAnswer {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
}

const TYPES: Record<string, string> = {
  html: "text/html; charset=utf-8",
  js: "text/javascript; charset=utf-8",
  css: "text/css; charset=utf-8",
  svg: "image/svg+xml",
  png: "image/png",
  json: "application/json; charset=utf-8",
};

/**
 * The pages' policy: their own script and style only, requests to their own server only; images may also come
 * from the app's http(s) links (news pictures), as the client loads them; no frames, forms or plugins.
 */
export const PAGE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob: http: https:",
  "media-src 'self'",
  "connect-src 'self'",
  "frame-ancestors 'none'",
  "base-uri 'none'",
  "form-action 'none'",
].join("; ");

const SECURITY_HEADERS = {
  "Content-Security-Policy": PAGE_CSP,
  "X-Content-Type-Options": "nosniff",
  "Referrer-Policy": "no-referrer",
  // Revalidated on every load (ETag): a page never outlives the wxdev that serves it.
  "Cache-Control": "no-cache",
};

const fixed = (status: number, body: string): WebAnswer => ({
  status,
  headers: { "Content-Type": "text/plain; charset=utf-8", "X-Content-Type-Options": "nosniff" },
  body,
});

/** The folder of wxdev's package (the one whose package.json is named wxdev), from wherever this code runs. */
function packageRoot(): string | undefined {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    const manifest = join(dir, "package.json");
    if (existsSync(manifest)) {
      try {
        if ((JSON.parse(readFileSync(manifest, "utf8")) as { name?: string }).name === "wxdev") return dir;
      } catch {
        // Not ours: keep looking upwards.
      }
    }
    const parent = dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

/** Where a built page lives: dist/web/<page>/ of the package (from the sources, the sources' own build). */
export function pageDir(page: string): string | undefined {
  const root = packageRoot();
  return root === undefined ? undefined : join(root, "dist", "web", page);
}

/**
 * Serves one built page (dist/web/<page>/) under `mount`: `mount` redirects to `mount/`, which is its index.html;
 * `mount/<file>` is one of its files, with its type, the pages' CSP and an ETag (304 when unchanged). Any other
 * name under `mount/` is a 404; a path outside `mount` is not the page's (undefined).
 */
export function servePage(page: string, mount: string): (path: string, ifNoneMatch?: string) => WebAnswer | undefined {
  const dir = pageDir(page);
  return (path, ifNoneMatch) => {
    if (path === mount) return { status: 302, headers: { Location: `${mount}/` }, body: "" };
    if (!path.startsWith(`${mount}/`)) return undefined;
    const name = path.slice(mount.length + 1) || "index.html";
    const type = TYPES[name.slice(name.lastIndexOf(".") + 1)];
    if (!/^[\w-]+(\.[\w-]+)*$/.test(name) || type === undefined) return fixed(404, "not found");
    if (dir === undefined || !existsSync(join(dir, "index.html")))
      return fixed(503, `the ${page} page is not built (npm run build)`);
    let body: Buffer;
    try {
      body = readFileSync(join(dir, name));
    } catch {
      return fixed(404, "not found");
    }
    const etag = `"${createHash("sha1").update(body).digest("base64url").slice(0, 20)}"`;
    const headers = { ...SECURITY_HEADERS, "Content-Type": type, ETag: etag };
    if (ifNoneMatch === etag) return { status: 304, headers, body: "" };
    return { status: 200, headers, body };
  };
}
