import { createServer } from "node:net";

/** A TCP port free on 127.0.0.1 right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address !== null ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

/** A TCP proxy to a local port; see slowProxy. */
export interface SlowProxy {
  port: number;
  /** While true, what clients send goes on at most the proxy's rate; false passes it on at once. */
  slow: boolean;
  /** Resets every connection through it, as a dropped network would. */
  cut(): void;
  close(): void;
}

/**
 * A TCP proxy to 127.0.0.1:`target` that passes on what its clients send at most `bytesPerSecond` while `slow`:
 * an upload through it is under way for a while however fast the machine, without a large file to send.
 */
export async function slowProxy(target: number, bytesPerSecond: number): Promise<SlowProxy> {
  const { connect } = await import("node:net");
  const sockets = new Set<import("node:net").Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("error", () => undefined);
      socket.on("close", () => sockets.delete(socket));
    }
    client.on("data", (chunk: Buffer) => {
      upstream.write(chunk);
      if (!proxy.slow) return;
      client.pause();
      setTimeout(() => client.resume(), (chunk.length / bytesPerSecond) * 1000);
    });
    // A side that is gone takes the other with it at once (a paused client would hold its end back).
    client.on("close", () => upstream.destroy());
    upstream.on("close", () => client.destroy());
    upstream.pipe(client);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (typeof address !== "object" || address === null) throw new Error("no port");
  const proxy: SlowProxy = {
    port: address.port,
    slow: true,
    cut: () => {
      for (const socket of sockets) socket.resetAndDestroy();
    },
    close: () => {
      proxy.cut();
      server.close();
    },
  };
  return proxy;
}
