import type { Command } from "commander";
import { dirname } from "node:path";
import type { ServerConfig } from "../core/config/file.js";
import { InputError } from "../core/support/errors.js";
import type { Cli } from "./context.js";

/** The login flags (addLoginOptions) a command was given. */
interface LoginFlags {
  sshPort?: number;
  user?: string;
  identity?: string;
}

/**
 * The named server from wxdev.config.json with the command's login flags over it, and the project root (the config
 * file's directory).
 */
export function serverFromConfig(cli: Cli, command: Command, name: string): { server: ServerConfig; root: string } {
  const { path, config } = cli.config(command);
  const servers = config.servers ?? {};
  // Own keys only: "toString" or "__proto__" must not find Object.prototype's members.
  const server = Object.hasOwn(servers, name) ? servers[name] : undefined;
  if (server === undefined) {
    const known = Object.keys(servers);
    throw new InputError(`unknown server "${name}"${path ? ` in ${path}` : " (no wxdev.config.json found)"}`, {
      hint:
        known.length > 0
          ? `known servers: ${known.join(", ")}`
          : `add it under "servers" in wxdev.config.json,` +
            ` e.g. {"servers": {"${name}": {"host": "…", "username": "${name}", "remoteDir": "~/app"}}}`,
    });
  }
  const flags = command.opts<LoginFlags>();
  const given = {
    ...(flags.sshPort === undefined ? {} : { port: flags.sshPort }),
    ...(flags.user === undefined ? {} : { username: flags.user }),
    ...(flags.identity === undefined ? {} : { privateKey: flags.identity }),
  };
  return { server: { ...server, ...given }, root: path === undefined ? cli.io.cwd : dirname(path) };
}
