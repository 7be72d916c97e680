import type { IncomingMessage } from "node:http";

/** A request body over the server's cap: answered 413, never buffered. */
export class BodyTooLarge extends Error {}

/** Reads a request body's bytes, rejecting with BodyTooLarge (and discarding the rest) past `limit` bytes. */
export function readBytes(request: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on("data", (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size > limit) {
        chunks.length = 0;
        reject(new BodyTooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on("end", () =>
      resolve(chunks.length === 1 && chunks[0] !== undefined ? chunks[0] : Buffer.concat(chunks)),
    );
    request.on("error", reject);
  });
}

/** Reads a request body as UTF-8, rejecting with BodyTooLarge (and discarding the rest) past `limit` bytes. */
export async function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return (await readBytes(request, limit)).toString("utf8");
}
