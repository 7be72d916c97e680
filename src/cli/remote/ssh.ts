import { homedir, userInfo } from "node:os";
import type { ServerConfig } from "../../core/config/file.js";
import type { Settings } from "../../core/config/settings.js";
import type { Connection, HostKeyInfo } from "../../core/remote/ssh/connection.js";
import type { Cli, Io } from "../context.js";
import type { Output } from "../output.js";
import { ask } from "../terminal/prompt.js";

/** What the CLI decides of a connection; the rest comes from the environment and the terminal. */
export interface CliConnectOptions {
  /** Trust an unknown host key on first use and record it (--yes / --accept-new-host-key). */
  acceptNewHostKey: boolean;
  timeoutMs?: number;
  /** The server's name in the config, for messages ("connection to s8013 lost"); default its host. */
  name?: string;
  /** SSH keepalives this often; default the server's "keepalive" (15 s). */
  keepaliveIntervalMs?: number;
}

/**
 * The core's connect() with the CLI's part: the home directory, the local user and the secrets from the
 * environment, prompts on a terminal (what is typed is remembered for redaction), notes.
 */
export async function connectWithPrompts(
  server: ServerConfig,
  cli: Cli,
  out: Output,
  options: CliConnectOptions,
): Promise<Connection> {
  const { connect: open } = await import("../../core/remote/ssh/connection.js");
  const { io } = cli;
  const terminal = io.stdin.isTTY === true;
  const given: Settings = cli.running === undefined ? {} : cli.settings(cli.running).settings;
  const askSecret = async (prompt: string): Promise<string | undefined> => {
    const answer = await ask(io, prompt, true);
    if (answer) cli.typedSecrets.push(answer);
    return answer;
  };
  return open(server, {
    home: io.env.HOME || homedir(),
    localUser: localUser(io),
    credentials: {
      agentSocket: io.env.SSH_AUTH_SOCK,
      passphrase: given.sshPassphrase,
      password: given.sshPassword,
    },
    acceptNewHostKey: options.acceptNewHostKey,
    confirmHostKey: terminal ? (info) => confirmHostKey(io, info) : undefined,
    askSecret: terminal ? askSecret : undefined,
    onHostKeyAdded: (info) =>
      out.note(`Added ${info.host}:${info.port} (${info.keyType} ${info.fingerprint}) to ${info.knownHostsPath}.`),
    timeoutMs: options.timeoutMs,
    name: options.name,
    keepaliveIntervalMs: options.keepaliveIntervalMs,
  });
}

/** OpenSSH's question for an unknown host key; anything but yes (or Ctrl-D) is no. */
async function confirmHostKey(io: Io, info: HostKeyInfo): Promise<boolean> {
  const answer = await ask(
    io,
    `The authenticity of host '${info.host}:${info.port}' can't be established.\n` +
      `${info.keyType} key fingerprint is ${info.fingerprint}.\n` +
      "Are you sure you want to continue connecting (yes/no)? ",
  );
  return answer !== undefined && /^y(es)?$/i.test(answer.trim());
}

/** The local account's name, as ssh takes it (the password database, not $USER), for the default remote user. */
function localUser(io: Io): string | undefined {
  try {
    return userInfo().username;
  } catch {
    // No passwd entry (some containers): the environment's word is all there is.
    return io.env.USER || io.env.LOGNAME || undefined;
  }
}
