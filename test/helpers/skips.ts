import { appendFileSync } from "node:fs";
import { join } from "node:path";
import { expect, inject } from "vitest";
import { SKIP_RECORDS } from "./skip-summary.js";

declare module "vitest" {
  export interface ProvidedContext {
    /** The folder where test files record why they skip (see skip-summary.ts); set by that reporter. */
    skipLog?: string;
  }
}

/**
 * Records why the calling test file skips (a missing tool, not root), for the run's summary; returns `reason`.
 * Call at the top of the file, where the decision to skip is made.
 */
export function skipReason(reason: string | undefined): string | undefined {
  const dir = inject("skipLog");
  const file = expect.getState().testPath;
  if (reason !== undefined && dir !== undefined && file !== undefined)
    appendFileSync(join(dir, SKIP_RECORDS), `${JSON.stringify({ file, reason })}\n`);
  return reason;
}
