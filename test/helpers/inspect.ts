import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/** Where the browser tests save their screenshots (test output, not committed). */
export const SCREENSHOTS = fileURLToPath(new URL("../../test-results/", import.meta.url));

/** The inspector's address a command printed (`inspect: http://127.0.0.1:PORT/`). */
export function inspectUrl(output: string): string {
  const url = /inspect: (http:\/\/127\.0\.0\.1:\d+\/)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`no inspector address in the output: ${output}`);
  return url;
}

/** Saves a screenshot of the page as test output. */
export async function screenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  const path = join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path, fullPage: false });
  return path;
}

/** The list's row whose text matches, as a person reads it. */
export const row = (page: Page, text: string | RegExp) =>
  page.getByRole("table", { name: "Exchange list" }).getByRole("row").filter({ hasText: text });
