import { Command, Option } from "commander";
import { callbackPath } from "../../core/config/class-account.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { portParser } from "../options.js";
import { serverFromConfig } from "../remote/server-config.js";

/** `wxdev nginx`: the location block mapping /wechat80xx to the app's port. */
export function nginxCommand(cli: Cli): Command {
  const command = new Command("nginx")
    .argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013')
    .option("--full", "print a complete nginx.conf for a local try-out")
    .addOption(new Option("--listen <port>", "with --full: the port to listen on").argParser(portParser(1)).default(80))
    .action(async (name: string, options: { full?: boolean; listen: number }, self: Command) => {
      const out = cli.output(self);
      const { server } = serverFromConfig(cli, self, name);
      const { nginxConfig, appPortOf } = await import("../../core/deploy/nginx.js");
      const appPort = appPortOf(name, server.appPort);
      const config = nginxConfig({ name, appPort: server.appPort, full: options.full, listen: options.listen });
      if (out.json) out.printJson({ server: name, appPort, path: callbackPath(appPort), config });
      else cli.io.stdout.write(config);
    });
  return withExamples(command, ["wxdev nginx s8013", "wxdev nginx s8013 --full --listen 8080 > nginx.conf"]);
}
