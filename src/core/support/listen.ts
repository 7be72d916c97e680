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

function listenError(error: NodeJS.ErrnoException, port: number, host: string): Error {
  switch (error.code) {
    case "EADDRINUSE":
      return new InputError(`port ${port} is already in use`, {
        hint: "pick another port, or stop the other server",
        input: "port",
        cause: error,
      });
    case "EADDRNOTAVAIL":
    case "ENOTFOUND":
      return new InputError(`cannot listen on ${host}: it is not an address of this machine`, {
        hint: "use 127.0.0.1 (or 0.0.0.0 for every interface)",
        input: "host",
        example: "127.0.0.1",
        cause: error,
      });
    case "EACCES":
      return new InputError(`not allowed to listen on port ${port}`, {
        hint: "ports below 1024 need root: pick e.g. 8013",
        input: "port",
        example: "8013",
        cause: error,
      });
    default:
      return error;
  }
}

/** Listens on host:port (0 = any free port); a busy port is an InputError naming it. */
export function listen(server: Server, port: number, host: string): Promise<Listening> {
  return new Promise((resolve, reject) => {
    server.once("error", (error: NodeJS.ErrnoException) => reject(listenError(error, port, host)));
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
