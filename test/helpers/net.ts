import { createServer } from "node:net";
import { Transform } from "node:stream";

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

/**
 * Passes a stream on at most `bytesPerSecond`, as over a slow link: each chunk waits as long as it would take to
 * send; while `active()` is false, at once.
 */
export function paced(bytesPerSecond: number, active: () => boolean = () => true): Transform {
  return new Transform({
    transform(chunk: Buffer, _encoding, done) {
      if (!active()) return done(null, chunk);
      setTimeout(() => done(null, chunk), (chunk.length / bytesPerSecond) * 1000);
    },
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
    client.pipe(paced(bytesPerSecond, () => proxy.slow)).pipe(upstream);
    // A side that is gone takes the other with it at once (what is still held back would keep its end open).
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
