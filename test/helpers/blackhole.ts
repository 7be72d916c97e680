import { createServer, type Socket, connect } from "node:net";

/** A TCP relay to a local port that can go silent: the way a dropped Wi-Fi or a dead NAT entry looks to both ends. */
export interface Blackhole {
  port: number;
  /** From now on nothing passes either way, and no connection is closed: both ends wait, as on a dead link. */
  drop(): void;
  close(): Promise<void>;
}

/** Starts a relay on a free loopback port to 127.0.0.1:`target`. */
export async function startBlackhole(target: number): Promise<Blackhole> {
  let dropped = false;
  const sockets = new Set<Socket>();
  const server = createServer((client) => {
    const upstream = connect(target, "127.0.0.1");
    for (const [from, to] of [
      [client, upstream],
      [upstream, client],
    ] as const) {
      sockets.add(from);
      from.on("data", (chunk) => {
        if (!dropped) to.write(chunk);
      });
      from.on("error", () => to.destroy());
      from.on("close", () => {
        sockets.delete(from);
        if (!dropped) to.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("the relay has no port");
  return {
    port: address.port,
    drop: () => {
      dropped = true;
    },
    close: () =>
      new Promise((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
