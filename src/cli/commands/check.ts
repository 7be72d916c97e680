import { Command } from "commander";
import type { CheckResult } from "../../core/client/check.js";
import type { Target } from "../../core/client/target.js";
import type { Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../target.js";

function mark(out: Output, result: CheckResult): string {
  switch (result.status) {
    case "pass":
      return out.ok("pass");
    case "fail":
      return out.bad("FAIL");
    case "warn":
      return out.c.yellow("warn");
    case "skip":
      return out.c.dim("skip");
  }
}

/** What a check run found: the target's URL, every result, and whether the server is ready. */
interface CheckOutcome {
  url: string;
  passed: boolean;
  results: CheckResult[];
  /** Checks not run because the first one showed they would fail alike (the last result says why). */
  notRun: number;
}

async function runCheck(target: Target, onResult: (result: CheckResult) => void): Promise<CheckOutcome> {
  const { CHECK_COUNT, runChecks, checksPassed } = await import("../../core/client/check.js");
  const results = await runChecks({ target, onResult });
  return { url: target.url, passed: checksPassed(results), results, notRun: CHECK_COUNT - results.length };
}

function printHeader(out: Output, target: Target): void {
  if (out.json) return;
  out.line(
    `checking ${target.url} in ${target.mode} mode` +
      (target.crypto ? "" : out.c.dim(" (no EncodingAESKey: safe/compat checks skipped)")),
  );
}

function printResult(out: Output, result: CheckResult): void {
  if (!out.json) out.line(`  ${mark(out, result)}  ${result.title.padEnd(44)} ${out.c.dim(result.reason)}`);
}

function printCheck(out: Output, { url, passed, results, notRun }: CheckOutcome): void {
  const count = (status: string): number => results.filter((result) => result.status === status).length;
  const summary = { pass: count("pass"), fail: count("fail"), warn: count("warn"), skip: count("skip"), notRun };
  if (out.json) {
    out.printJson({ ok: passed, url, summary, checks: results });
    return;
  }
  const stopped = results.at(-1)?.stopped ?? "nothing answered";
  if (notRun > 0) out.line(out.c.dim(`  (the other ${notRun} checks were not run: ${stopped})`));
  out.line(
    `\n${passed ? out.ok("ready") : out.bad("not ready")}: ${summary.pass} passed, ${summary.fail} failed, ` +
      `${summary.warn} warnings, ${summary.skip} skipped`,
  );
}

/** `wxdev check`: the conformance suite to run before pointing the platform at a server. */
export function checkCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("check")).action(async (options: TargetFlags, self: Command) => {
    const out = cli.output(self);
    const target = await resolveTarget(cli, self, options);
    printHeader(out, target);
    const outcome = await runCheck(target, (result) => printResult(out, result));
    printCheck(out, outcome);
    cli.exitCode = exitCodeFor(outcome.passed);
  });
  return withExamples(command, [
    "wxdev check --url http://127.0.0.1:8013/wechat8013",
    "wxdev check --mode safe --json   # key, appId, URL from the config",
  ]);
}
