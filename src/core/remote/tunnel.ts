import { CheckFailedError, InputError } from "../errors.js";
import type { AppTarget } from "./app.js";
import type { Connection } from "./connection.js";
import { explainRefusal, markTunnel, unmarkTunnel } from "./tunnel-marker.js";
import { createTunnelProxy, type TunnelExchange } from "./tunnel-proxy.js";

export type { TunnelExchange } from "./tunnel-proxy.js";

/** What the tunnel reports as it runs; the CLI renders each one. */
export type TunnelEvent =
  | { type: "up"; remotePort: number; localPort: number; reconnected: boolean }
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

const backoff = (attempt: number): number => Math.min(10_000, 500 * 2 ** (attempt - 1));

/**
 * Opens the tunnel: connects, asks the server to listen on 127.0.0.1:remotePort, and hands each connection to
 * the local proxy. A refused forward is a TunnelRefusedError naming who holds the port. A dropped connection is
 * reconnected with backoff (reported as `lost` and `retry` events) until `giveUpAfterMs`; then `done` rejects.
 */
export async function openTunnel(options: TunnelOptions): Promise<Tunnel> {
  const { remotePort: port, onEvent } = options;
  const proxy = createTunnelProxy({
    localHost: options.localHost,
    localPort: options.localPort,
    timeoutMs: options.requestTimeoutMs,
    onExchange: (exchange) => onEvent({ type: "exchange", exchange }),
  });
  let current: Connection | undefined;
  let closing = false;
  let wake: () => void = () => undefined;
  let settle!: { resolve: () => void; reject: (error: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });

  const up = async (reconnected: boolean): Promise<void> => {
    const connection = await options.connect();
    try {
      await requestForward(connection, port).catch(async () => {
        throw await explainRefusal(connection.shell, options.target, port, options.name);
      });
      await markTunnel(connection.shell, options.target, port);
    } catch (error) {
      connection.close();
      throw error;
    }
    if (closing) {
      // Stopped while this reconnect was under way: release what was just taken.
      await cancelForward(connection, port);
      connection.close();
      return;
    }
    current = connection;
    connection.client.on("tcp connection", (_info, accept) => proxy.accept(accept()));
    connection.client.on("close", () => {
      if (current !== connection || closing) return;
      current = undefined;
      void recover();
    });
    onEvent({ type: "up", remotePort: port, localPort: options.localPort, reconnected });
  };

  const fail = (error: unknown): void => {
    closing = true;
    proxy.close();
    settle.reject(error);
  };

  const recover = async (): Promise<void> => {
    onEvent({ type: "lost", reason: `connection to ${options.name} lost` });
    const deadline = Date.now() + (options.giveUpAfterMs ?? 300_000);
    let lastError: string | undefined;
    for (let attempt = 1; !closing; attempt++) {
      const delayMs = backoff(attempt);
      if (Date.now() + delayMs > deadline) {
        const why = lastError === undefined ? "" : ` (last: ${lastError})`;
        fail(
          new CheckFailedError(`the tunnel to ${options.name} stayed down; gave up reconnecting${why}`, {
            hint: "check the network and that sshd runs on the server, then start the tunnel again",
            code: "TUNNEL_LOST",
          }),
        );
        return;
      }
      onEvent({ type: "retry", attempt, delayMs, ...(lastError === undefined ? {} : { lastError }) });
      await new Promise<void>((resolve) => {
        wake = resolve;
        setTimeout(resolve, delayMs);
      });
      if (closing) return;
      try {
        await up(true);
        return;
      } catch (error) {
        // Bad input (a prompt closed, a key unreadable) will not mend by waiting.
        if (error instanceof InputError) return fail(error);
        lastError = error instanceof Error ? error.message : String(error);
      }
    }
  };

  try {
    await up(false);
  } catch (error) {
    proxy.close();
    throw error;
  }
  return {
    done,
    close: async () => {
      if (closing) return;
      closing = true;
      wake();
      const connection = current;
      current = undefined;
      if (connection !== undefined) {
        await cancelForward(connection, port);
        await unmarkTunnel(connection.shell, options.target, port).catch(() => undefined);
        connection.close();
      }
      proxy.close();
      settle.resolve();
    },
  };
}
