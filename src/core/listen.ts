import type { Server } from "node:http";
import type { AddressInfo } from "node:net";
import { InputError } from "./errors.js";

/** A listening server: where it is and how to stop it (open keep-alive connections included). */
export interface Listening {
  host: string;
  port: number;
  /** `http://host:port`, with IPv6 hosts bracketed. */
  origin: string;
  close(): Promise<void>;
}

/** Listens on host:port (0 = any free port); a busy port is an InputError naming it. */
export function listen(server: Server, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) =>
      reject(error.code === "EADDRINUSE" ? new InputError(`port ${port} is already in use`, "pick another with --port, or stop the other server") : error),
    );
    server.listen(port, host, () => {
      const { address, port: bound } = server.address() as AddressInfo;
      resolve({
        host: address,
        port: bound,
        origin: `http://${address.includes(":") ? `[${address}]` : address}:${bound}`,
        close: () =>
          new Promise((done) => {
            server.close(() => done());
            server.closeAllConnections();
          }),
      });
    });
  });
}
