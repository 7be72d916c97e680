import type { Socket } from "node:net";
import type { Duplex } from "node:stream";
import { join } from "node:path";
import { keepaliveSeconds, type ServerConfig } from "../../config/file.js";
import { CheckFailedError, type WxdevError } from "../../support/errors.js";
import { type AskSecret, authHandler, type SshCredentials } from "./auth.js";
import { type HostKeyInfo, type HostKeyPolicy, hostKeyVerifier } from "./host-key.js";
import { preferredHostKeyAlgorithms, readKnownHosts } from "./known-hosts.js";
import type { RemoteShell } from "../shell.js";
import { sshShell } from "./ssh-shell.js";
import { resolveLogin, type SshLogin } from "./ssh-config.js";
import { guardedShell } from "../state-guard.js";

export type { AskSecret, SshCredentials } from "./auth.js";
export type { HostKeyInfo } from "./host-key.js";
export type { SshLogin } from "./ssh-config.js";

/** How to reach and trust a server; everything from outside (home, user, secrets, prompts) comes in here. */
export interface ConnectOptions {
  /** The home directory: ~/.ssh/config, the default identity files, known_hosts, and `~/` in paths. */
  home: string;
  /** The local user name: the login's user when neither the config nor ~/.ssh/config names one (as ssh). */
  localUser?: string;
  /** Default `<home>/.ssh/known_hosts`. */
  knownHostsPath?: string;
  credentials?: SshCredentials;
  /** Trust an unknown host key on first use and record it, without asking. */
  acceptNewHostKey?: boolean;
  /** Asks whether to trust an unknown host key; without it (and acceptNewHostKey) an unknown key is refused. */
  confirmHostKey?: (info: HostKeyInfo) => Promise<boolean>;
  /** Asks for a passphrase or password the credentials lack; without it that method is skipped. */
  askSecret?: AskSecret;
  /** Told when an unknown host key was trusted and added to known_hosts. */
  onHostKeyAdded?: (info: HostKeyInfo) => void;
  /** Deadline for the TCP connect and the SSH handshake; default 10 s (two minutes when a person may be asked). */
  timeoutMs?: number;
  /** The server's name in the config, for messages ("connection to s8013 lost"); default its host. */
  name?: string;
  /**
   * Send an SSH keepalive after this long without traffic; three unanswered in a row drop the connection (ssh's
   * ServerAliveInterval), so a silently dropped link fails a command instead of hanging it. Default: the server's
   * "keepalive" seconds, else 15 s; 0: none.
   */
  keepaliveIntervalMs?: number;
}

/** What a remote forward needs of the ssh2 client under a connection (ssh2 ships no types of its own). */
export interface SshClient {
  forwardIn(host: string, port: number, callback: (error: Error | undefined, port: number) => void): unknown;
  unforwardIn(host: string, port: number, callback: (error: Error | undefined) => void): unknown;
  on(event: "tcp connection", listener: (info: unknown, accept: () => Duplex, reject: () => void) => void): unknown;
  on(event: "close", listener: () => void): unknown;
  on(event: "error", listener: (error: Error) => void): unknown;
  removeAllListeners(event: string): unknown;
}

/** An open, verified, authenticated SSH connection. */
export interface Connection {
  shell: RemoteShell;
  /** Where and as whom it logged in. */
  login: SshLogin;
  /** The ssh2 client itself, for a remote forward (`wxdev tunnel`). */
  client: SshClient;
  close(): void;
}

/** How long a person gets to answer a host-key or password prompt during the handshake. */
const PROMPT_TIMEOUT_MS = 120_000;

/**
 * Opens an SSH connection as OpenSSH would: the login completed from ~/.ssh/config, the host key checked against
 * known_hosts (ssh's policy), then the agent's keys, the identity files and a password in turn. node-ssh is loaded
 * only here, so only commands that connect load it.
 */
export async function connect(server: ServerConfig, options: ConnectOptions): Promise<Connection> {
  const { NodeSSH } = await import("node-ssh");
  const { home } = options;
  const login = await resolveLogin(server, { home, localUser: options.localUser, name: options.name });
  const { host, port } = login;
  const knownHostsPath = options.knownHostsPath ?? join(home, ".ssh", "known_hosts");
  const tried: string[] = [];
  let refusal: WxdevError | undefined;
  const failures: WxdevError[] = [];
  const policy: HostKeyPolicy = {
    knownHostsPath,
    acceptNewHostKey: options.acceptNewHostKey,
    confirmHostKey: options.confirmHostKey,
    onHostKeyAdded: options.onHostKeyAdded,
  };
  const display = (path: string): string => (path.startsWith(`${home}/`) ? `~${path.slice(home.length)}` : path);
  const secrets = { credentials: options.credentials ?? {}, askSecret: options.askSecret, display };
  // As ssh does: ask first for the key types known_hosts lists, so a server with several keys offers one we can
  // check (any other key it offers counts as changed). ssh2 applies "remove" before "prepend": the known ones move
  // to the front.
  const preferred = preferredHostKeyAlgorithms(readKnownHosts(knownHostsPath), host, port);
  const timeoutMs = options.timeoutMs ?? 10_000;
  const mayAsk = options.confirmHostKey !== undefined || options.askSecret !== undefined;
  const ssh = new NodeSSH();
  try {
    const sock = await openSocket(host, port, timeoutMs);
    await ssh.connect({
      sock,
      host,
      port,
      username: login.username,
      // The deadline for the handshake alone (the TCP connect had its own above), longer when a person may answer.
      readyTimeout: mayAsk ? Math.max(timeoutMs, PROMPT_TIMEOUT_MS) : timeoutMs,
      hostVerifier: hostKeyVerifier(host, port, policy, (error) => {
        refusal = error;
      }),
      ...(preferred.length > 0 ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } } } : {}),
      authHandler: authHandler(login, secrets, tried, (error) => failures.push(error)),
      keepaliveInterval: options.keepaliveIntervalMs ?? keepaliveSeconds(server) * 1000,
      keepaliveCountMax: 3,
    } as never);
  } catch (error) {
    ssh.dispose();
    if (refusal !== undefined) throw refusal;
    if (failures[0] !== undefined) throw failures[0];
    throw connectionError(error as Error & { level?: string; code?: string }, login, tried);
  }
  return {
    shell: guardedShell(sshShell(ssh, options.name ?? server.host)),
    login,
    client: ssh.connection as unknown as SshClient,
    close: () => ssh.dispose(),
  };
}

/**
 * The TCP connection, opened here so it has its own deadline and TCP_NODELAY from the start:
 * Nagle's algorithm holds each small SSH packet until the last is acknowledged, and the server
 * delays that ACK, so the handshake and every exec after the first would stall.
 */
async function openSocket(host: string, port: number, timeoutMs: number): Promise<Socket> {
  const { connect } = await import("node:net");
  return new Promise((resolve, reject) => {
    const sock = connect({ host, port, noDelay: true });
    const timer = setTimeout(() => {
      sock.destroy();
      reject(Object.assign(new Error("connect timeout"), { level: "client-timeout" }));
    }, timeoutMs);
    sock.once("connect", () => {
      clearTimeout(timer);
      sock.removeAllListeners("error");
      resolve(sock);
    });
    sock.once("error", (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/** ssh2's failure as one clear error naming the server (and, for a refused login, what was offered). */
function connectionError(
  error: Error & { level?: string; code?: string },
  login: SshLogin,
  tried: string[],
): WxdevError {
  const { host, port, username } = login;
  const where = `${username}@${host}:${port}`;
  if (error.level === "client-authentication") {
    const copyId = `ssh-copy-id${port === 22 ? "" : ` -p ${port}`} ${username}@${host}`;
    return new CheckFailedError(
      `authentication failed for ${where}` +
        ` (tried: ${tried.length > 0 ? tried.join(", ") : "nothing: no agent, no key in ~/.ssh, no password"})`,
      {
        hint: `put your key on the server once (${copyId}), or give the password: type it, or set it beforehand`,
        input: "sshPassword",
        code: "AUTH_FAILED",
        cause: error,
      },
    );
  }
  if (error.level === "client-timeout")
    return new CheckFailedError(`${where} did not answer within the timeout`, {
      hint: "check the host and port, and that the network reaches it",
      code: "UNREACHABLE",
      cause: error,
    });
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused: is sshd running on that port?",
    ENOTFOUND: 'host not found: check "host"',
    EHOSTUNREACH: "host unreachable: check the network",
    ETIMEDOUT: "connection timed out",
  };
  const reason = reasons[error.code ?? ""];
  return new CheckFailedError(`cannot connect to ${where}: ${reason ?? error.message}`, {
    hint: 'check "host" and "port" for this server in wxdev.config.json (or its HostName and Port in ~/.ssh/config)',
    code: "UNREACHABLE",
    cause: error,
  });
}
