import { Command } from "commander";
import type { CheckResult } from "../../core/client/check.js";
import type { Mode } from "../../core/wire/modes.js";
import type { Target } from "../../core/client/target.js";
import type { Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../messages/target.js";

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

/** `check`'s own flag; the rest are the target's. */
interface CheckFlags extends TargetFlags {
  allModes?: boolean;
}

/** What a check run found: the target's URL, the modes of its round trips, every result, whether it is ready. */
interface CheckOutcome {
  url: string;
  modes: Mode[];
  passed: boolean;
  results: CheckResult[];
  /** Checks not run because the first one showed they would fail alike (the last result says why). */
  notRun: number;
}

async function runCheck(
  out: Output,
  target: Target,
  allModes: boolean,
  onResult: (result: CheckResult) => void,
): Promise<CheckOutcome> {
  const { checkCount, checkedModes, runChecks, checksPassed } = await import("../../core/client/check.js");
  const modes = checkedModes({ target, allModes });
  printHeader(out, target, modes);
  const results = await runChecks({ target, allModes, onResult });
  const notRun = checkCount({ target, allModes }) - results.length;
  return { url: target.url, modes, passed: checksPassed(results), results, notRun };
}

/** Which mode the run checks, and which other modes' round trips it makes (or how to ask for them). */
function printHeader(out: Output, target: Target, modes: Mode[]): void {
  if (out.json) return;
  const others = modes.slice(1);
  const extra =
    others.length > 0
      ? `, plus a round trip in ${others.join(" and ")} mode`
      : out.c.dim(" (the mode WeChat sends; --all-modes adds a round trip in each other mode)");
  out.line(`checking ${target.url} in ${target.mode} mode${extra}`);
}

function printResult(out: Output, result: CheckResult): void {
  if (!out.json) out.line(`  ${mark(out, result)}  ${result.title.padEnd(44)} ${out.c.dim(result.reason)}`);
}

function printCheck(out: Output, { url, modes, passed, results, notRun }: CheckOutcome): void {
  const count = (status: string): number => results.filter((result) => result.status === status).length;
  const summary = { pass: count("pass"), fail: count("fail"), warn: count("warn"), skip: count("skip"), notRun };
  if (out.json) {
    out.printJson({ ok: passed, url, mode: modes[0], modes, summary, checks: results });
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
  const command = addTargetOptions(new Command("check"))
    .option("--all-modes", "also a round trip in each other mode (WeChat sends only the configured one)")
    .action(async (options: CheckFlags, self: Command) => {
      const out = cli.output(self);
      const target = await resolveTarget(cli, self, options);
      const outcome = await runCheck(out, target, options.allModes === true, (result) => printResult(out, result));
      printCheck(out, outcome);
      cli.exitCode = exitCodeFor(outcome.passed);
    });
  return withExamples(command, [
    "wxdev check --url http://127.0.0.1:8013/wechat8013",
    "wxdev check --mode safe --json   # key, appId, URL from the config",
    "wxdev check --mode compat --all-modes   # a server that answers plain, compat and safe alike",
  ]);
}
