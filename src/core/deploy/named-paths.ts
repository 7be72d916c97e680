import { lstatSync } from "node:fs";
import { join } from "node:path";
import { InputError } from "../support/errors.js";

/** True for a pattern that names one path (no wildcard, negation or escape), which must then exist. */
const isLiteral = (pattern: string): boolean => !/[*?[\]!\\]/.test(pattern);

/**
 * Throws naming the paths given on the command line that do not exist under `root`: a typo would otherwise
 * select nothing and deploy the rest as if it were meant (or fail as "nothing to deploy", naming no path).
 */
export function checkNamedPaths(root: string, patterns: string[]): void {
  const missing = patterns
    .map((pattern) => pattern.replace(/^(\.\/)+/, "").replace(/\/+$/, ""))
    .filter((path) => path !== "" && isLiteral(path))
    .filter((path) => {
      try {
        lstatSync(join(root, path));
        return false;
      } catch {
        return true;
      }
    });
  if (missing.length > 0)
    throw new InputError(
      `${missing.length === 1 ? "no such path" : "no such paths"} in ${root}: ${missing.join(", ")}`,
      { hint: "check the spelling (paths are relative to the folder holding wxdev.config.json)" },
    );
}
