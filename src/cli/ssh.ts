import { readFileSync } from "node:fs";
import { homedir } from "node:os";
import type { Socket } from "node:net";
import { join } from "node:path";
import type { ServerConfig } from "../core/config.js";
import {
  addKnownHost,
  checkHostKey,
  fingerprint,
  hostPattern,
  keyType,
  preferredHostKeyAlgorithms,
  readKnownHosts,
} from "../core/deploy/known-hosts.js";
import { ConnectionLostError, type RemoteShell } from "../core/deploy/remote.js";
import { CheckFailedError, InputError, WxdevError } from "../core/errors.js";
import type { Io } from "./context.js";
import type { Output } from "./output.js";
import { ask } from "./prompt.js";

export interface ConnectOptions {
  /** Trust an unknown host key on first use and record it (--yes / --accept-new-host-key). */
  acceptNewHostKey: boolean;
  timeoutMs?: number;
  /** The server's name in the config, for messages ("connection to s8013 lost"); default its host. */
  name?: string;
}

export interface Connection {
  shell: RemoteShell;
  close(): void;
}

function expandHome(path: string, home: string): string {
  return path.startsWith("~/") ? join(home, path.slice(2)) : path;
}

type AuthAttempt =
  | { type: "agent"; username: string; agent: string }
  | { type: "publickey"; username: string; key: Buffer; passphrase?: string }
  | { type: "password"; username: string; password: string };

/** True when the key cannot be read without a passphrase (ssh2's own parser decides, for every key format). */
async function needsPassphrase(key: Buffer): Promise<boolean> {
  const { createRequire } = await import("node:module");
  const ssh2 = createRequire(import.meta.url)("ssh2") as { utils: { parseKey(data: Buffer): unknown } };
  const parsed = ssh2.utils.parseKey(key);
  return parsed instanceof Error && /passphrase/i.test(parsed.message);
}

/**
 * SSH agent, then the configured key (passphrase prompted if needed), then a password from WXDEV_SSH_PASSWORD
 * or a hidden prompt.
 */
function authMethods(
  server: ServerConfig,
  io: Io,
  home: string,
  tried: string[],
  failures: WxdevError[],
): (methodsLeft: unknown, partial: unknown, next: (auth: AuthAttempt | false) => void) => void {
  const steps: (() => Promise<AuthAttempt | undefined>)[] = [
    async () =>
      io.env.SSH_AUTH_SOCK ? { type: "agent", username: server.username, agent: io.env.SSH_AUTH_SOCK } : undefined,
    async () => {
      if (server.privateKey === undefined) return undefined;
      const path = expandHome(server.privateKey, home);
      let key: Buffer;
      try {
        key = readFileSync(path);
      } catch {
        throw new InputError(`cannot read the private key ${path}`, `fix "privateKey" in servers config`);
      }
      const encrypted = await needsPassphrase(key);
      const passphrase = !encrypted
        ? undefined
        : (io.env.WXDEV_SSH_PASSPHRASE ??
          (io.stdin.isTTY ? await ask(io, `Passphrase for ${path}: `, true) : undefined));
      return { type: "publickey", username: server.username, key, passphrase };
    },
    async () => {
      const password =
        io.env.WXDEV_SSH_PASSWORD ??
        (io.stdin.isTTY ? await ask(io, `${server.username}@${server.host}'s password: `, true) : undefined);
      return password === undefined || password === ""
        ? undefined
        : { type: "password", username: server.username, password };
    },
  ];
  return (_left, _partial, next) => {
    const advance = async (): Promise<void> => {
      for (let step = steps.shift(); step !== undefined; step = steps.shift()) {
        const attempt = await step();
        if (attempt !== undefined) {
          tried.push(attempt.type === "publickey" ? "key" : attempt.type);
          return next(attempt);
        }
      }
      next(false);
    };
    advance().catch((error: unknown) => {
      failures.push(error instanceof WxdevError ? error : new InputError(String(error), "check the servers config"));
      next(false);
    });
  };
}

/** Opens an SSH connection with verified host key and the project's auth order; node-ssh is loaded only here. */
export async function connect(server: ServerConfig, io: Io, out: Output, options: ConnectOptions): Promise<Connection> {
  const { NodeSSH } = await import("node-ssh");
  const home = io.env.HOME ?? homedir();
  const knownHostsPath = join(home, ".ssh", "known_hosts");
  const port = server.port ?? 22;
  const tried: string[] = [];
  let hostKeyError: WxdevError | undefined;

  const hostVerifier = (key: Buffer, verify: (ok: boolean) => void): void => {
    const status = checkHostKey(readKnownHosts(knownHostsPath), server.host, port, key);
    const print = fingerprint(key);
    if (status === "known") {
      verify(true);
      return;
    }
    if (status === "changed" || status === "revoked") {
      hostKeyError = new CheckFailedError(
        `WARNING: the host key of ${server.host}:${port} has ${status === "changed" ? "CHANGED" : "been REVOKED"}` +
          ` (now ${keyType(key)} ${print}); refusing to connect`,
        "someone may be intercepting the connection. If the server was really reinstalled," +
          ` remove its old line from ${knownHostsPath} (ssh-keygen -R '${hostPattern(server.host, port)}')`,
        "HOST_KEY_CHANGED",
      );
      verify(false);
      return;
    }
    if (status === "cert-authority") {
      hostKeyError = new InputError(
        `${knownHostsPath} vouches for ${server.host}:${port} only with @cert-authority,` +
          ` and host certificates are not supported by wxdev (it offered ${keyType(key)} ${print})`,
        "check that fingerprint with the server's admin, then add the server's own key:" +
          ` ssh-keyscan -p ${port} ${server.host} >> ${knownHostsPath}`,
      );
      verify(false);
      return;
    }
    const trust = (): void => {
      addKnownHost(knownHostsPath, server.host, port, key);
      out.note(`Added ${server.host}:${port} (${keyType(key)} ${print}) to ${knownHostsPath}.`);
      verify(true);
    };
    if (options.acceptNewHostKey) {
      trust();
      return;
    }
    if (!io.stdin.isTTY) {
      hostKeyError = new InputError(
        `the host key of ${server.host}:${port} is unknown (${keyType(key)} ${print})`,
        "check the fingerprint with the server's admin, then run again with --accept-new-host-key (or ssh to it once)",
      );
      verify(false);
      return;
    }
    void ask(
      io,
      `The authenticity of host '${server.host}:${port}' can't be established.\n` +
        `${keyType(key)} key fingerprint is ${print}.\n` +
        "Are you sure you want to continue connecting (yes/no)? ",
    ).then((answer) => {
      if (/^y(es)?$/i.test(answer.trim())) return trust();
      hostKeyError = new InputError(
        "host key not accepted",
        "compare the fingerprint with the server's, then answer yes",
      );
      verify(false);
    });
  };

  // As ssh does: ask first for the key types known_hosts lists, so a server with several keys offers one we can
  // check (any other key it offers counts as changed). ssh2 applies "remove" before "prepend": the known ones move
  // to the front.
  const preferred = preferredHostKeyAlgorithms(readKnownHosts(knownHostsPath), server.host, port);
  const ssh = new NodeSSH();
  const authFailures: WxdevError[] = [];
  const timeoutMs = options.timeoutMs ?? 10_000;
  try {
    const sock = await openSocket(server.host, port, timeoutMs);
    await ssh.connect({
      sock,
      host: server.host,
      port,
      username: server.username,
      // The deadline for the handshake alone; a person answering a host-key or password
      // prompt gets two minutes (the TCP connect had its own deadline above).
      readyTimeout: io.stdin.isTTY ? Math.max(timeoutMs, 120_000) : timeoutMs,
      hostVerifier,
      ...(preferred.length > 0 ? { algorithms: { serverHostKey: { remove: preferred, prepend: preferred } } } : {}),
      authHandler: authMethods(server, io, home, tried, authFailures),
    } as never);
  } catch (error) {
    ssh.dispose();
    if (hostKeyError !== undefined) throw hostKeyError;
    if (authFailures[0] !== undefined) throw authFailures[0];
    throw connectionError(error as Error & { level?: string; code?: string }, server, port, tried);
  }
  // Without a listener, a reset connection is an uncaught 'error' event that kills the process with a stack.
  let lost = false;
  const markLost = (): void => {
    lost = true;
  };
  ssh.connection?.on("error", markLost);
  ssh.connection?.on("close", markLost);
  const lostError = (): ConnectionLostError =>
    new ConnectionLostError(`connection to ${options.name ?? server.host} lost`);
  const shell: RemoteShell = {
    exec: async (command, execOptions = {}) => {
      if (lost) throw lostError();
      let result: Awaited<ReturnType<typeof ssh.execCommand>>;
      try {
        result = await ssh.execCommand(command, {
          stdin: execOptions.stdin,
          onStdout: execOptions.onStdout,
          onStderr: execOptions.onStderr,
          noTrim: true,
        });
      } catch (error) {
        if (lost) throw lostError();
        throw error;
      }
      // sshd always reports how a command ended; a channel closed with neither status nor signal was cut off.
      if (lost || (result.code === null && result.signal === null)) throw lostError();
      return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    },
  };
  return { shell, close: () => ssh.dispose() };
}

/**
 * The TCP connection, opened here so it has its own deadline and TCP_NODELAY from the start:
 * Nagle's algorithm holds each small SSH packet until the last is acknowledged, and the server
 * delays that ACK ~40 ms, so the handshake and every exec after the first would stall
 * (a first deploy of 2,000 files: ~540 -> ~440 ms).
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

function connectionError(
  error: Error & { level?: string; code?: string },
  server: ServerConfig,
  port: number,
  tried: string[],
): WxdevError {
  const where = `${server.username}@${server.host}:${port}`;
  if (error.level === "client-authentication") {
    return new CheckFailedError(
      `authentication failed for ${where}` +
        ` (tried: ${tried.length > 0 ? tried.join(", ") : "nothing: no agent, key or password"})`,
      'check the password (WXDEV_SSH_PASSWORD, or type it when asked) or the key in "privateKey"',
      "AUTH_FAILED",
    );
  }
  if (error.level === "client-timeout")
    return new CheckFailedError(
      `${where} did not answer within the timeout`,
      "check the host and port, and that the network reaches it",
      "UNREACHABLE",
    );
  const reasons: Record<string, string> = {
    ECONNREFUSED: "connection refused: is sshd running on that port?",
    ENOTFOUND: 'host not found: check "host"',
    EHOSTUNREACH: "host unreachable: check the network",
    ETIMEDOUT: "connection timed out",
  };
  const reason = reasons[error.code ?? ""];
  return new CheckFailedError(
    `cannot connect to ${where}: ${reason ?? error.message}`,
    'check "host" and "port" for this server in wxdev.config.json',
    "UNREACHABLE",
  );
}
