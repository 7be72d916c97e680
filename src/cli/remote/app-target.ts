import { type Command, Option } from "commander";
import { appPortFor } from "../../core/config/class-account.js";
import type { AppTarget } from "../../core/remote/app/app.js";
import type { Connection } from "../../core/remote/ssh/connection.js";
import type { RemoteShell } from "../../core/remote/shell.js";
import type { Cli } from "../context.js";
import { portParser } from "../options.js";
import type { Output } from "../output.js";
import { serverFromConfig } from "./server-config.js";

/** The flags every command that connects to a server takes. */
export interface ConnectFlags {
  yes?: boolean;
  acceptNewHostKey?: boolean;
}

/**
 * The flags of every command that connects: trusting a new host key, and the login's port, user and key (as ssh's
 * -p, -l and -i), which win over wxdev.config.json and ~/.ssh/config (serverFromConfig applies them).
 */
export function addLoginOptions(command: Command): Command {
  return command
    .option("-y, --yes", "trust an unknown host key on first use (same as --accept-new-host-key)")
    .option("--accept-new-host-key", "trust an unknown host key on first use and add it to ~/.ssh/known_hosts")
    .addOption(
      new Option("--ssh-port <port>", 'the SSH port (default: "port", else ~/.ssh/config\'s Port, else 22)').argParser(
        portParser(1),
      ),
    )
    .option("--user <name>", 'the SSH user (default: "username", else ~/.ssh/config\'s User)')
    .option(
      "-i, --identity <file>",
      'the private key to offer (default: "privateKey", else ~/.ssh/config, else ~/.ssh/id_*)',
    )
    .addHelpText(
      "after",
      "\nLogs in as ssh does: the agent's keys, then the key files, then the password\n" +
        "(WXDEV_SSH_PASSWORD or a hidden prompt, never a flag).",
    );
}

/** The server argument and the login flags, so every server command connects the same way. */
export function withConnectFlags(command: Command): Command {
  return addLoginOptions(command.argument("<server>", 'a name under "servers" in wxdev.config.json, e.g. s8013'));
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
  const connection = await connectWithPrompts(server, cli, out, {
    acceptNewHostKey: flags.yes === true || flags.acceptNewHostKey === true,
    name,
  });
  try {
    return await work(connection.shell, { server, port: appPortFor(name, server.appPort), name }, connection);
  } finally {
    connection.close();
  }
}
