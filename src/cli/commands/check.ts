import { Command } from "commander";
import type { CheckResult } from "../../core/client/check.js";
import type { Cli } from "../context.js";
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

/** `wxdev check`: the conformance suite to run before pointing the platform at a server. */
export function checkCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("check")).action(async (options: TargetFlags, self: Command) => {
    const out = cli.output(self);
    const target = await resolveTarget(cli, self, options);
    const { runChecks, checksPassed } = await import("../../core/client/check.js");
    if (!out.json)
      out.line(
        `checking ${target.url} in ${target.mode} mode` +
          (target.crypto ? "" : out.c.dim(" (no EncodingAESKey: safe/compat checks skipped)")),
      );
    const width = 44;
    const results = await runChecks({
      target,
      onResult: (result) => {
        if (!out.json) out.line(`  ${mark(out, result)}  ${result.title.padEnd(width)} ${out.c.dim(result.reason)}`);
      },
    });
    const passed = checksPassed(results);
    cli.exitCode = passed ? 0 : 1;
    const count = (status: string): number => results.filter((result) => result.status === status).length;
    const summary = { pass: count("pass"), fail: count("fail"), warn: count("warn"), skip: count("skip") };
    if (out.json) return out.printJson({ ok: passed, url: target.url, summary, checks: results });
    out.line(
      `\n${passed ? out.ok("ready") : out.bad("not ready")}: ${summary.pass} passed, ${summary.fail} failed, ` +
        `${summary.warn} warnings, ${summary.skip} skipped`,
    );
  });
  return withExamples(command, [
    "wxdev check --url http://127.0.0.1:8013/wechat8013",
    "wxdev check --mode safe --json   # key, appId, URL from the config",
  ]);
}
