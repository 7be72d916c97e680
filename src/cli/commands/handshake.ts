import { Command } from "commander";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../target.js";

/** `wxdev handshake`: the platform's "verify server address" GET. */
export function handshakeCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("handshake"))
    .option("--echostr <text>", "the echostr to send (default: random digits)")
    .action(async (options: TargetFlags & { echostr?: string }, self: Command) => {
      const out = cli.output(self);
      const target = await resolveTarget(cli, self, options);
      const { handshake } = await import("../../core/client/handshake.js");
      const { renderProblems } = await import("../render.js");
      const result = await handshake({
        url: target.url,
        token: target.token,
        timeoutMs: target.timeoutMs,
        echostr: options.echostr,
      });
      cli.exitCode = result.ok ? 0 : 1;
      if (out.json) return out.printJson({ ...result, latencyMs: Math.round(result.latencyMs * 10) / 10 });
      out.line(`${out.c.cyan("→")} GET ${result.url}`);
      const body = result.body.length > 120 ? `${result.body.slice(0, 120)}…` : result.body;
      out.line(
        `${out.c.magenta("←")} HTTP ${result.status || "—"} ${JSON.stringify(body)} ` +
          out.c.dim(`(${Math.round(result.latencyMs)} ms)`),
      );
      renderProblems(out, result.problems);
      out.line(
        result.ok
          ? `   ${out.ok("✓")} the server answered echostr exactly: the platform would accept this URL`
          : `   ${out.bad("✗")} the platform would say the URL/Token check failed (配置失败)`,
      );
    });
  return withExamples(command, [
    "wxdev handshake --url http://127.0.0.1:8013/wechat8013",
    "WXDEV_URL=http://HOST/wechat8013 wxdev handshake --json",
  ]);
}
