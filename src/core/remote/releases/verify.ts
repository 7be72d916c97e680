import type { Manifest } from "./record.js";
import type { RemoteShell } from "../shell.js";
import type { RemoteLayout } from "../layout.js";
import { verifyScript } from "./build.js";
import { DeployError, run } from "./steps.js";

/**
 * Hashes on the server the files just unpacked (only those: unchanged files are not read again) and compares them
 * with the local manifest.
 */
export async function verifyUpload(
  shell: RemoteShell,
  layout: RemoteLayout,
  release: string,
  uploaded: string[],
  local: Manifest,
): Promise<void> {
  const links = uploaded.filter((path) => local[path]?.link !== undefined);
  const files = uploaded.filter((path) => local[path]?.link === undefined);
  const output = await run(
    shell,
    "verifying the upload",
    verifyScript(layout, release, links),
    files.map((path) => `${path}\0`).join(""),
  );
  const found = new Map<string, string>();
  for (const record of output.split("\0")) {
    const gap = record.indexOf("  ");
    if (gap > 0) found.set(record.slice(gap + 2), record.slice(0, gap));
  }
  const wrong = uploaded.filter((path) => found.get(path) !== local[path]?.sha256);
  if (wrong.length > 0) {
    throw new DeployError(
      `the upload did not arrive intact: ${wrong.length} of ${uploaded.length} file(s) missing or different` +
        ` on the server (first: ${wrong[0]}); the live directory is untouched`,
      {
        hint:
          "deploy again; if it happens again, check the server's disk and that nothing else writes to the" +
          " releases folder",
      },
    );
  }
}
