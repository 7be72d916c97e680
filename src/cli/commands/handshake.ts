import { Command } from "commander";
import { InputError } from "../../core/support/errors.js";
import type { Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../messages/target.js";

/** `wxdev handshake`: the platform's "verify server address" GET. */
export function handshakeCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("handshake"))
    .option("--echostr <text>", "the echostr to send (default: random digits)")
    .action(async (options: TargetFlags & { echostr?: string }, self: Command) => {
      const out = cli.output(self);
      const target = await resolveTarget(cli, self, options);
      if (options.echostr === "")
        throw new InputError("--echostr is empty", {
          hint: "WeChat always sends a non-empty echostr; leave --echostr out for a random one",
        });
      const { handshake } = await import("../../core/client/handshake.js");
      const { handshakeJson, renderHandshake } = await import("../messages/render.js");
      const result = await handshake(target, { echostr: options.echostr });
      if (out.json) out.printJson(handshakeJson(result));
      else renderHandshake(out, result);
      cli.exitCode = exitCodeFor(result.ok);
    });
  return withExamples(command, [
    "wxdev handshake --url http://127.0.0.1:8013/wechat8013",
    "WXDEV_URL=http://HOST/wechat8013 wxdev handshake --json",
  ]);
}
