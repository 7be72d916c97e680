import { CheckFailedError, InputError } from "../../support/errors.js";
import type { AppTarget } from "../app/app.js";
import type { Connection } from "../ssh/connection.js";
import { endStaleSession, explainRefusal, markTunnel, TunnelRefusedError, unmarkTunnel } from "./marker.js";
import { createTunnelProxy, type TunnelProxy, type TunnelExchange } from "./proxy.js";
import { backoff } from "../../support/backoff.js";

export type { TunnelExchange } from "./proxy.js";

/** What the tunnel reports as it runs; the CLI renders each one. */
export type TunnelEvent =
  | {
      type: "up";
      remotePort: number;
      localPort: number;
      reconnected: boolean;
      /** The sshd pid of this tunnel's dropped session, ended because it still held the port. */
      endedStale?: number;
    }
  | { type: "exchange"; exchange: TunnelExchange }
  | { type: "lost"; reason: string }
  | { type: "retry"; attempt: number; delayMs: number; lastError?: string };

/** A remote forward from the server's 127.0.0.1:remotePort to the laptop's localHost:localPort. */
export interface TunnelOptions {
  /** Opens a verified, authenticated connection: at the start and after each drop. */
  connect: () => Promise<Connection>;
  /** The server's app (its state folder holds the tunnel's marker). */
  target: AppTarget;
  /** The server's name, for messages. */
  name: string;
  remotePort: number;
  localPort: number;
  localHost?: string;
  onEvent: (event: TunnelEvent) => void;
  /** Stop reconnecting after the tunnel has been down this long; default 5 minutes. */
  giveUpAfterMs?: number;
  /** The local app's deadline per request (then 504); default 30 s. */
  requestTimeoutMs?: number;
  /** Opens safe-mode bodies for the log's kinds (see TunnelProxyOptions). */
  decrypt?: (encrypted: string) => string;
}

/** An open tunnel: `done` resolves once close() has released the port, rejects when the tunnel failed for good. */
export interface Tunnel {
  done: Promise<void>;
  /** Releases the server's port (cancels the forward) and closes the connection. */
  close(): Promise<void>;
}

/** The server's loopback: nginx there connects to it, so no GatewayPorts is needed. */
const REMOTE_HOST = "127.0.0.1";

function requestForward(connection: Connection, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    try {
      connection.client.forwardIn(REMOTE_HOST, port, (error) => (error ? reject(error) : resolve()));
    } catch (error) {
      reject(error);
    }
  });
}

/** Cancels the forward, waiting at most a second for the server's word (the connection is closed after anyway). */
function cancelForward(connection: Connection, port: number): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, 1_000);
    try {
      connection.client.unforwardIn(REMOTE_HOST, port, () => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      clearTimeout(timer);
      resolve();
    }
  });
}

/** Asks for the forward again while a just-ended session's listener goes: a few tries over about two seconds. */
async function forwardSoon(connection: Connection, port: number): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await requestForward(connection, port);
    } catch (error) {
      if (attempt === 20) throw error;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
  }
}

/** One tunnel's life: the current connection, reconnects after a drop, and the release at the end. */
class TunnelSession implements Tunnel {
  readonly done: Promise<void>;
  private current?: Connection;
  /** The sshd session process on the server that holds the forward (from the marker). */
  private sessionPid?: number;
  private closing = false;
  private wake: () => void = () => undefined;
  private settle!: { resolve: () => void; reject: (error: unknown) => void };

  constructor(
    private readonly options: TunnelOptions,
    private readonly proxy: TunnelProxy,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
    });
  }

  /** Connects, takes the port (a refusal explained: who holds it), and serves each forwarded connection. */
  async up(reconnected: boolean): Promise<void> {
    const { remotePort: port, target } = this.options;
    const connection = await this.options.connect();
    let endedStale: number | undefined;
    try {
      endedStale = await this.forward(connection, reconnected);
      this.sessionPid = await markTunnel(connection.shell, target, port);
    } catch (error) {
      connection.close();
      throw error;
    }
    if (this.closing) return this.release(connection); // stopped while this reconnect was under way
    this.current = connection;
    connection.client.on("tcp connection", (_info, accept) => this.proxy.accept(accept()));
    connection.client.on("close", () => {
      if (this.current !== connection || this.closing) return;
      this.current = undefined;
      void this.recover();
    });
    const up = { type: "up" as const, remotePort: port, localPort: this.options.localPort, reconnected };
    this.options.onEvent(endedStale === undefined ? up : { ...up, endedStale });
  }

  /**
   * Takes the port: a refusal is explained (who holds it); after a drop, this tunnel's own dropped session still
   * holding it is ended and the port taken at once. Returns that session's pid when it was ended.
   */
  private async forward(connection: Connection, reconnected: boolean): Promise<number | undefined> {
    const { remotePort: port, target, name } = this.options;
    try {
      await requestForward(connection, port);
      return undefined;
    } catch {
      const refused = await explainRefusal(connection.shell, target, port, name);
      const ours = reconnected && refused.holder === "tunnel" && refused.pid === this.sessionPid;
      if (!ours || refused.pid === undefined) throw refused;
      await endStaleSession(connection.shell, refused.pid);
      await forwardSoon(connection, port).catch(async () => {
        throw await explainRefusal(connection.shell, target, port, name);
      });
      return refused.pid;
    }
  }

  /** After a drop: reconnect with backoff until it works, close() is called, or giveUpAfterMs has passed. */
  private async recover(): Promise<void> {
    const { name, onEvent } = this.options;
    onEvent({ type: "lost", reason: `connection to ${name} lost` });
    const deadline = Date.now() + (this.options.giveUpAfterMs ?? 300_000);
    let lastError: string | undefined;
    for (let attempt = 1; !this.closing; attempt++) {
      const delayMs = backoff(attempt);
      if (Date.now() + delayMs > deadline) {
        const why = lastError === undefined ? "" : ` (last: ${lastError})`;
        return this.fail(
          new CheckFailedError(`the tunnel to ${name} stayed down; gave up reconnecting${why}`, {
            hint: "check the network and that sshd runs on the server, then start the tunnel again",
            code: "TUNNEL_LOST",
          }),
        );
      }
      onEvent({ type: "retry", attempt, delayMs, ...(lastError === undefined ? {} : { lastError }) });
      await new Promise<void>((resolve) => {
        this.wake = resolve;
        setTimeout(resolve, delayMs);
      });
      if (this.closing) return;
      try {
        return await this.up(true);
      } catch (error) {
        // Bad input (a prompt closed, a key unreadable) will not mend by waiting; nor is retrying right while
        // another account holds the port: what it receives must be known now, not after minutes of retries.
        if (error instanceof InputError) return this.fail(error);
        if (error instanceof TunnelRefusedError && error.holder === "account") return this.fail(error);
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
  }

  private fail(error: unknown): void {
    this.closing = true;
    this.proxy.close();
    this.settle.reject(error);
  }

  private async release(connection: Connection): Promise<void> {
    await cancelForward(connection, this.options.remotePort);
    await unmarkTunnel(connection.shell, this.options.target, this.options.remotePort).catch(() => undefined);
    connection.close();
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.wake();
    const connection = this.current;
    this.current = undefined;
    if (connection !== undefined) await this.release(connection);
    this.proxy.close();
    this.settle.resolve();
  }
}

/**
 * Opens the tunnel: connects, asks the server to listen on 127.0.0.1:remotePort, and hands each connection to
 * the local proxy. A refused forward is a TunnelRefusedError naming who holds the port. A dropped connection is
 * reconnected at once, then with backoff (reported as `lost` and `retry` events) until `giveUpAfterMs`; then
 * `done` rejects. It rejects at once when another account's process has taken the port meanwhile.
 */
export async function openTunnel(options: TunnelOptions): Promise<Tunnel> {
  const proxy = createTunnelProxy({
    localHost: options.localHost,
    localPort: options.localPort,
    timeoutMs: options.requestTimeoutMs,
    decrypt: options.decrypt,
    onExchange: (exchange) => options.onEvent({ type: "exchange", exchange }),
  });
  const session = new TunnelSession(options, proxy);
  try {
    await session.up(false);
  } catch (error) {
    proxy.close();
    throw error;
  }
  return session;
}
