import { existsSync } from "node:fs";
import { skipReason } from "./skips.js";

/** Debian's Chromium (package `chromium`); never a downloaded browser. */
export const CHROMIUM = ["/usr/bin/chromium", "/usr/bin/chromium-browser"].find((path) => existsSync(path));

/** Flags for headless Chromium on a closed network, as root. */
export const CHROMIUM_ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  // The compositor in the browser process: one process fewer per launch, the same pixels.
  "--in-process-gpu",
  "--disable-dev-shm-usage",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** Why a browser test cannot run here, or undefined when it can. In CI a missing browser is a failure, not a skip. */
export function browserMissing(): string | undefined {
  if (CHROMIUM !== undefined) return undefined;
  if (process.env.CI)
    throw new Error("Chromium is missing in CI: .ci/run should have installed the Debian package chromium");
  return skipReason("Chromium not found at /usr/bin/chromium: apt-get install chromium to run the browser tests");
}
