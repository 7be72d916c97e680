import type { Command } from "commander";
import { dirname } from "node:path";
import type { ServerConfig } from "../core/config.js";
import { InputError } from "../core/errors.js";
import type { Cli } from "./context.js";

/** The named server from wxdev.config.json, and the project root (the config file's directory). */
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
  return { server, root: path === undefined ? cli.io.cwd : dirname(path) };
}
