import type { Command } from "commander";
import { existsSync, realpathSync } from "node:fs";
import { dirname, isAbsolute, relative, resolve, sep } from "node:path";
import type { ServerConfig } from "../../core/config/file.js";
import { InputError } from "../../core/support/errors.js";
import type { Cli } from "../context.js";

/** The login flags (addLoginOptions) a command was given. */
interface LoginFlags {
  sshPort?: number;
  user?: string;
  identity?: string;
}

/**
 * The project folder: the one holding the config file, unless --config named a file outside the folder wxdev runs
 * in (a config kept apart, e.g. for its secrets): then that folder. With the config file's path inside it, relative
 * to it (never to be deployed), when it is.
 */
export function projectOf(
  cwd: string,
  config: string | undefined,
  named: boolean,
): { root: string; configInside?: string } {
  if (config === undefined) return { root: cwd };
  const real = (path: string): string => (existsSync(path) ? realpathSync(path) : resolve(path));
  const within = (folder: string): string | undefined => {
    const rel = relative(real(folder), real(config));
    return rel !== "" && !rel.startsWith("..") && !isAbsolute(rel) ? rel.split(sep).join("/") : undefined;
  };
  const root = named && within(cwd) === undefined ? cwd : dirname(config);
  const inside = within(root);
  return { root, ...(inside === undefined ? {} : { configInside: inside }) };
}

/**
 * The named server from wxdev.config.json with the command's login flags over it, the project root (projectOf) and
 * the config file's path in it, if it is there.
 */
export function serverFromConfig(
  cli: Cli,
  command: Command,
  name: string,
): { server: ServerConfig; root: string; configInside?: string } {
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
  const named = command.optsWithGlobals<{ config?: string }>().config !== undefined;
  return { server: { ...server, ...given }, ...projectOf(cli.io.cwd, path, named) };
}
