import { Command } from "commander";
import { InputError } from "../../core/errors.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { serverFromConfig } from "../server-config.js";

/** `wxdev nginx`: the location block mapping /wechat80xx to the app's port. */
export function nginxCommand(cli: Cli): Command {
  const command = new Command("nginx")
    .argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013')
    .option("--full", "print a complete nginx.conf for a local try-out")
    .option("--listen <port>", "with --full: the port to listen on", "80")
    .action(async (name: string, options: { full?: boolean; listen: string }, self: Command) => {
      const out = cli.output(self);
      const { server } = serverFromConfig(cli, self, name);
      const { nginxConfig, appPortOf } = await import("../../core/deploy/nginx.js");
      const listen = Number(options.listen);
      if (!Number.isInteger(listen) || listen < 1 || listen > 65535)
        throw new InputError(`--listen ${options.listen} is not a port`, "use e.g. --listen 8080");
      const appPort = appPortOf(name, server.appPort);
      const config = nginxConfig({ name, appPort: server.appPort, full: options.full, listen });
      if (out.json) out.printJson({ server: name, appPort, path: `/wechat${appPort}`, config });
      else cli.io.stdout.write(config);
    });
  return withExamples(command, ["wxdev nginx s8013", "wxdev nginx s8013 --full --listen 8080 > nginx.conf"]);
}
