import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { basename, join } from "node:path";
import type { Reporter, TestModule, Vitest } from "vitest/node";

/** The file under the skipLog folder that holds the reasons (skips.ts writes them), one JSON object a line. */
export const SKIP_RECORDS = "reasons.ndjson";

/**
 * A reporter that ends the run with what was skipped and why, one line per reason (the test files record their
 * reasons through skipReason), so a run without root or a tool is green and says what it did not prove.
 */
export default class SkipSummary implements Reporter {
  private dir = "";
  private write: (text: string) => void = (text) => void process.stdout.write(text);

  onInit(vitest: Vitest): void {
    this.dir = mkdtempSync(join(tmpdir(), "wxdev-skips-"));
    vitest.provide("skipLog", this.dir);
    this.write = (text) => vitest.logger.log(text);
  }

  async onTestRunEnd(modules: ReadonlyArray<TestModule>): Promise<void> {
    const reasons = new Map<string, string>();
    try {
      for (const line of readFileSync(join(this.dir, SKIP_RECORDS), "utf8").split("\n").filter(Boolean)) {
        const { file, reason } = JSON.parse(line) as { file: string; reason: string };
        reasons.set(file, reasons.has(file) ? `${reasons.get(file)}; ${reason}` : reason);
      }
    } catch {
      // No file skipped for a reason of its own.
    }
    rmSync(this.dir, { recursive: true, force: true });
    const groups = new Map<string, { tests: number; files: string[] }>();
    let total = 0;
    for (const module of modules) {
      // A test in a skipped suite inside a skipped suite is left "pending": it did not run either.
      const notRun = (state: string): boolean => state === "skipped" || state === "pending";
      const skipped = [...module.children.allTests()].filter((test) => notRun(test.result().state)).length;
      if (skipped === 0) continue;
      total += skipped;
      const reason = reasons.get(module.moduleId) ?? "skipped by the test itself (it.skip or a condition in the file)";
      const group = groups.get(reason) ?? { tests: 0, files: [] };
      group.tests += skipped;
      group.files.push(basename(module.moduleId).replace(/\.test\.ts$/, ""));
      groups.set(reason, group);
    }
    if (total === 0) return;
    const lines = [...groups].map(([reason, { tests, files }]) => `  ${tests} in ${files.join(", ")}: ${reason}`);
    // Below the default reporter's summary, which it prints meanwhile (its onFinished runs alongside this hook).
    await new Promise((resolve) => setImmediate(resolve));
    this.write(` Skipped ${total} tests, and why:\n${lines.join("\n")}\n`);
  }
}
