import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../../config/file.js";
import { ConfigError } from "../../support/errors.js";
import { readProblem } from "../../support/read-file.js";

/** Where and as whom to log in, once the flags, wxdev.config.json and ~/.ssh/config have had their say. */
export interface SshLogin {
  /** The address to connect to: ~/.ssh/config's HostName when `host` is an alias there. */
  host: string;
  port: number;
  username: string;
  /** The private keys to offer after the agent's, in order (~ expanded). */
  identityFiles: string[];
  /** Named by the user (privateKey, IdentityFile), so one that cannot be read is worth saying; else the defaults. */
  identitiesNamed: boolean;
  /** IdentitiesOnly yes: of the agent's keys, only those of the identity files are offered. */
  identitiesOnly: boolean;
}

/** What the login depends on outside the config: the home directory and the local account's name. */
export interface LoginContext {
  home: string;
  /** The local user name: ssh's default remote user, and %u. */
  localUser?: string;
  /** The server's name in wxdev.config.json (s8013): a `Host s8013` entry pointing at `host` applies too. */
  name?: string;
}

/** OpenSSH's default identity files, in its order, less the types ssh2 cannot use (security keys, XMSS, DSA). */
export const DEFAULT_IDENTITIES: readonly string[] = ["id_rsa", "id_ecdsa", "id_ed25519"];

type Entry = Record<string, string | string[]>;

/**
 * The server's login, as OpenSSH would make it: values from the flags and wxdev.config.json (already merged into
 * `server`) first, then the ~/.ssh/config Host entry, then ssh's defaults (port 22, the local user, the default
 * identity files). The entry is the one for the server's name (`Host s8013`) when its HostName is `host`, else the
 * one for `host` itself, as `ssh HOST` would read it.
 */
export async function resolveLogin(server: ServerConfig, context: LoginContext): Promise<SshLogin> {
  const path = join(context.home, ".ssh", "config");
  const entry = await hostEntry(path, server.host, context.name);
  const text = (key: string): string | undefined => {
    const value = entry[key];
    return Array.isArray(value) ? value[0] : value;
  };
  const host = text("hostname") ?? server.host;
  const username = server.username ?? text("user") ?? context.localUser;
  if (username === undefined)
    throw new ConfigError(`no user name to log in to ${server.host} as`, {
      hint: 'set "username" for this server in wxdev.config.json (or User in ~/.ssh/config)',
    });
  const tokens = { home: context.home, host, user: username, localUser: context.localUser ?? username };
  const configured = entry.identityfile === undefined ? [] : [entry.identityfile].flat();
  const named = server.privateKey !== undefined ? [server.privateKey] : configured.filter((file) => file !== "none");
  return {
    host: expandTokens(host, { ...tokens, host: server.host }),
    port: server.port ?? sshConfigPort(text("port"), path),
    username,
    identityFiles:
      named.length > 0
        ? named.map((file) => expandPath(file, tokens))
        : DEFAULT_IDENTITIES.map((file) => join(context.home, ".ssh", file)),
    identitiesNamed: named.length > 0,
    identitiesOnly: /^yes$/i.test(text("identitiesonly") ?? ""),
  };
}

/** The computed ~/.ssh/config values (keys in lower case) for this server; {} without the file. */
async function hostEntry(path: string, host: string, name: string | undefined): Promise<Entry> {
  let source: string;
  try {
    source = readFileSync(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return {};
    throw new ConfigError(`cannot read ${path}: ${readProblem(cause)}`, {
      hint: "make it readable by you (chmod 600), as ssh needs it too",
      cause,
    });
  }
  const { default: SSHConfig } = await import("ssh-config");
  const parsed = SSHConfig.parse(source);
  // `Match exec` would run a command wxdev cannot expand %-tokens in the way ssh does: such a block does not apply.
  const compute = (alias: string): Entry => parsed.compute(alias, { ignoreCase: true, matchExec: false });
  if (name !== undefined && name !== host) {
    const byName = compute(name);
    const target = byName.hostname;
    if (typeof target === "string" && target.toLowerCase() === host.toLowerCase()) return byName;
  }
  return compute(host);
}

function sshConfigPort(value: string | undefined, path: string): number {
  if (value === undefined) return 22;
  const port = Number(value);
  if (Number.isInteger(port) && port > 0 && port < 65536) return port;
  throw new ConfigError(`${path}: Port ${JSON.stringify(value)} is not a port number (1-65535)`, {
    hint: "fix the Port line of that Host entry",
  });
}

interface Tokens {
  home: string;
  host: string;
  user: string;
  localUser: string;
}

/** The %-tokens ssh_config(5) defines for IdentityFile and HostName that a login knows: %d %h %r %u %%. */
function expandTokens(text: string, tokens: Tokens): string {
  const values: Record<string, string> = { d: tokens.home, h: tokens.host, r: tokens.user, u: tokens.localUser };
  return text.replace(/%([%dhru])/g, (_, key: string) => (key === "%" ? "%" : (values[key] ?? "")));
}

/** An identity file's path with ~ and the %-tokens expanded. */
function expandPath(file: string, tokens: Tokens): string {
  const path = expandTokens(file, tokens);
  return path === "~" || path.startsWith("~/") ? join(tokens.home, path.slice(1)) : path;
}
