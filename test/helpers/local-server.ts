import { execFileSync } from "node:child_process";
import { chownSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { vi } from "vitest";
import type { ServerConfig } from "../../src/core/config/file.js";
import type { Connection, ConnectOptions } from "../../src/core/remote/ssh/connection.js";
import type { RemoteShell } from "../../src/core/remote/shell.js";
import { type LocalLogin, localShell } from "./local-shell.js";
import { freePort } from "./net.js";
import { TEST_USER } from "./sshd.js";

/**
 * The middle tier's server: this machine, reached through a local shell instead of SSH. Its account is a Unix
 * account of its own when the tests run as root (so permissions, pkill and the state guard act as on a server),
 * else the current user; its home is a fresh temporary folder.
 */
export interface LocalServer {
  user: string;
  uid: number;
  home: string;
  /** The port its server entries name: the key the mocked connect() finds this server by (nothing listens). */
  port: number;
  shell: RemoteShell;
  /** Runs a command as the account, in bash with its home (a synchronous `sshd.run`). */
  run(command: string): string;
  /** Kills every process its commands left running (an app, a background sleep), known by their HOME. */
  killProcesses(): void;
  stop(): Promise<void>;
}

/** The classroom's ~/.bashrc (as sshd.ts gives its accounts): a virtualenv-style `workon` function. */
export const WORKON_BASHRC = `workon() { export VIRTUAL_ENV="$HOME/.virtualenvs/$1"; echo "(workon $1)"; }\n`;

/** Servers by the port their entries name, for the mocked connect(). */
const servers = new Map<number, LocalServer>();

function ensureAccount(user: string): { uid: number; gid: number } {
  const make = `id ${user} >/dev/null 2>&1 || useradd -M -s /bin/bash ${user}`;
  execFileSync("flock", ["/tmp/wxdev-test-accounts.lock", "bash", "-ec", make]);
  const id = (flag: string): number => Number(execFileSync("id", [flag, user], { encoding: "utf8" }).trim());
  return { uid: id("-u"), gid: id("-g") };
}

/** Options of startLocalServer. */
export interface LocalServerOptions {
  /** The account's name after WXDEV_TEST_USER when running as root (default "l"): one of its own for a pkill. */
  account?: string;
  /** Its ~/.bashrc; default WORKON_BASHRC. */
  bashrc?: string;
  /** How fast an upload arrives (LocalLogin's inputBytesPerSecond); default at once. */
  inputBytesPerSecond?: number;
}

/**
 * A local server: an account (see LocalServer) with a new temporary home holding `bashrc`. From then on, connect()
 * reaches it by the port its entries name.
 */
export async function startLocalServer(options: LocalServerOptions = {}): Promise<LocalServer> {
  await routeConnections();
  const root = process.getuid?.() === 0;
  const user = root ? `${TEST_USER}${options.account ?? "l"}` : userInfo().username;
  const ids = root ? ensureAccount(user) : undefined;
  const home = mkdtempSync(join(tmpdir(), "wxdev-local-home-"));
  writeFileSync(join(home, ".bashrc"), options.bashrc ?? WORKON_BASHRC);
  writeFileSync(join(home, ".profile"), '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n');
  if (ids !== undefined)
    for (const path of [home, join(home, ".bashrc"), join(home, ".profile")]) {
      chownSync(path, ids.uid, ids.gid);
    }
  const rate = options.inputBytesPerSecond;
  const login: LocalLogin = {
    user,
    home,
    ...(ids ?? {}),
    ...(rate === undefined ? {} : { inputBytesPerSecond: rate }),
  };
  const port = await freePort();
  const server: LocalServer = {
    user,
    uid: ids?.uid ?? process.getuid?.() ?? 0,
    home,
    port,
    shell: localShell(login),
    run: (command) =>
      execFileSync("bash", ["-c", command], {
        cwd: home,
        encoding: "utf8",
        env: { HOME: home, USER: user, LOGNAME: user, PATH: "/usr/local/bin:/usr/bin:/bin" },
        ...(ids ?? {}),
      }),
    killProcesses: () => {
      // By HOME, not by account: other test files may share the account.
      const mine = `grep -lzx -- 'HOME=${home}' /proc/[0-9]*/environ 2>/dev/null`;
      execFileSync("bash", ["-c", `${mine} | cut -d/ -f3 | xargs -r kill -9 2>/dev/null || true`]);
    },
    stop: async () => {
      servers.delete(port);
      server.killProcesses();
      rmSync(home, { recursive: true, force: true });
    },
  };
  servers.set(port, server);
  return server;
}

/** A wxdev.config.json server entry for a local server, its remoteDir `~/<remote>`, plus any extra keys. */
export function localEntry(
  server: LocalServer,
  remote: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { remoteDir: string } {
  return { host: "127.0.0.1", port: server.port, username: server.user, remoteDir: `~/${remote}`, ...extra };
}

/** A connection to a local server, as connect() returns one; `guard` wraps its shell as connect() wraps SSH's. */
function localConnection(server: LocalServer, guard: (shell: RemoteShell) => RemoteShell): Connection {
  return {
    shell: guard(server.shell),
    login: {
      host: "127.0.0.1",
      port: server.port,
      username: server.user,
      identityFiles: [],
      identitiesNamed: false,
      identitiesOnly: false,
    },
    client: {
      forwardIn: () => {
        throw new Error("no remote forward through a local shell: test forwarding against the real sshd");
      },
    } as unknown as Connection["client"],
    close: () => undefined,
  };
}

/**
 * Points connect() at the local servers by their entries' port (any other server: the real connect), once per test
 * process. It replaces the module's export, which every importer reads when it calls: unlike vi.mock's factory, it
 * holds for imports made side by side (vitest's mocker can hand one of two concurrent dynamic imports the original).
 */
async function routeConnections(): Promise<void> {
  const connection = await import("../../src/core/remote/ssh/connection.js");
  if (vi.isMockFunction(connection.connect)) return;
  const { guardedShell } = await import("../../src/core/remote/state-guard.js");
  const real = connection.connect;
  vi.spyOn(connection, "connect").mockImplementation(async (server: ServerConfig, options: ConnectOptions) => {
    const local = server.port === undefined ? undefined : servers.get(server.port);
    return local === undefined ? real(server, options) : localConnection(local, guardedShell);
  });
}
