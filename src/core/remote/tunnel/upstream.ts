import {
  type Agent,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type OutgoingHttpHeaders,
  request as httpRequest,
} from "node:http";

/**
 * Headers that describe one hop, not the message, never passed on in either direction (RFC 9110 §7.6.1, and the
 * list Go's and nginx's proxies drop); the body is re-sent with its own length.
 */
const HOP_BY_HOP = new Set([
  "connection",
  "keep-alive",
  "proxy-connection",
  "proxy-authenticate",
  "proxy-authorization",
  "te",
  "trailer",
  "transfer-encoding",
  "upgrade",
  "content-length",
]);

/** The headers to pass on: all but the hop-by-hop ones and those the sender's `Connection` names as such. */
export function endToEnd(headers: IncomingHttpHeaders): OutgoingHttpHeaders {
  const named = new Set(
    [headers.connection, headers["proxy-connection"]]
      .flatMap((value) => (typeof value === "string" ? value.split(",") : []))
      .map((token) => token.trim().toLowerCase()),
  );
  const kept: OutgoingHttpHeaders = {};
  for (const [name, value] of Object.entries(headers))
    if (!HOP_BY_HOP.has(name) && !named.has(name)) kept[name] = value;
  return kept;
}

/** A body over its cap: the request's (413) or the app's answer (502). */
export class TooLarge extends Error {
  constructor(readonly limit: number) {
    super(`over ${limit} bytes`);
  }
}

/** The whole stream, or TooLarge as soon as it passes `limit` (by its Content-Length, or as it arrives). */
export function readAll(stream: IncomingMessage, limit: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    if (Number(stream.headers["content-length"] ?? 0) > limit) return reject(new TooLarge(limit));
    const chunks: Buffer[] = [];
    let size = 0;
    stream.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else {
        chunks.length = 0;
        reject(new TooLarge(limit));
      }
    });
    stream.on("end", () => resolve(Buffer.concat(chunks)));
    stream.on("error", reject);
  });
}

/** The app's answer, with the headers to send back. */
export interface Answer {
  status: number;
  headers: OutgoingHttpHeaders;
  body: Buffer;
}

/** Where and how requests go on this machine. */
export interface Upstream {
  host: string;
  port: number;
  agent: Agent;
  timeoutMs: number;
  /** Answers larger than this are refused (502), not cut. */
  maxReplyBytes: number;
}

/** Sends the buffered request to the local app and reads its whole answer, within the deadline. */
export function send(upstream: Upstream, request: IncomingMessage, body: Buffer, retried = false): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const headers = { ...endToEnd(request.headers), "content-length": body.length };
    const { host, port, agent } = upstream;
    const outgoing = httpRequest({ host, port, method: request.method, path: request.url, headers, agent });
    // A deadline for the whole answer, not for silence: an app that drips a byte at a time is as late.
    let late = false;
    const deadline = setTimeout(() => {
      late = true;
      outgoing.destroy();
    }, upstream.timeoutMs);
    const fail = (error: NodeJS.ErrnoException): void => {
      clearTimeout(deadline);
      reject(late ? Object.assign(new Error("timeout"), { code: "ETIMEDOUT" }) : error);
    };
    outgoing.on("response", (response) => {
      const kept = endToEnd(response.headers);
      // A HEAD answer has no body but says how long the GET's would be.
      if (request.method === "HEAD" && response.headers["content-length"] !== undefined)
        kept["content-length"] = response.headers["content-length"];
      readAll(response, request.method === "HEAD" ? Number.MAX_SAFE_INTEGER : upstream.maxReplyBytes).then(
        (reply) => {
          clearTimeout(deadline);
          resolve({ status: response.statusCode ?? 502, headers: kept, body: reply });
        },
        (error: NodeJS.ErrnoException) => {
          outgoing.destroy(); // stop reading an answer that is refused anyway
          fail(error);
        },
      );
    });
    outgoing.on("error", (error: NodeJS.ErrnoException) => {
      // A kept-alive connection the app closed meanwhile: Node's advice is to send again on a fresh one.
      if (outgoing.reusedSocket && error.code === "ECONNRESET" && !retried && !late) {
        clearTimeout(deadline);
        send(upstream, request, body, true).then(resolve, reject);
      } else fail(error);
    });
    outgoing.end(body);
  });
}
