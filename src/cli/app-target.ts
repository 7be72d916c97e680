import type { Command } from "commander";
import type { AppTarget } from "../core/remote/app.js";
import type { Connection } from "../core/remote/connection.js";
import type { RemoteShell } from "../core/remote/shell.js";
import type { Cli } from "./context.js";
import type { Output } from "./output.js";
import { serverFromConfig } from "./server-config.js";

/** The flags every command that connects to a server takes. */
export interface ConnectFlags {
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

/** Adds the host-key flags deploy has, so every server command trusts a new host the same way. */
export function withConnectFlags(command: Command): Command {
  return command
    .argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013')
    .option("-y, --yes", "trust an unknown host key on first use (same as --accept-new-host-key)")
    .option("--accept-new-host-key", "trust an unknown host key on first use and add it to ~/.ssh/known_hosts")
    .addHelpText("after", "\nThe SSH password comes from WXDEV_SSH_PASSWORD or a hidden prompt, never a flag.");
}

/** The app's port: "appPort", else the digits of an s80xx name; undefined when neither says. */
export function appPort(name: string, port: number | undefined): number | undefined {
  if (port !== undefined) return port;
  const digits = /^s(\d{2,5})$/.exec(name)?.[1];
  return digits !== undefined && Number(digits) < 65536 ? Number(digits) : undefined;
}

/** A server command's context: the named server, its app's port, and an open connection for `work`. */
export async function withApp<T>(
  cli: Cli,
  self: Command,
  out: Output,
  name: string,
  flags: ConnectFlags,
  work: (shell: RemoteShell, target: AppTarget, connection: Connection) => Promise<T>,
): Promise<T> {
  const { server } = serverFromConfig(cli, self, name);
  const { connectWithPrompts } = await import("./ssh.js");
  const connection = await connectWithPrompts(server, cli.io, out, {
    acceptNewHostKey: flags.yes === true || flags.acceptNewHostKey === true,
    name,
  });
  try {
    return await work(connection.shell, { server, port: appPort(name, server.appPort), name }, connection);
  } finally {
    connection.close();
  }
}
