import type { Agent as HttpAgent } from "node:http";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

/** What came back, or why nothing did; network failures are results here, not exceptions. */
export interface HttpResult {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
  latencyMs: number;
  failure?: { kind: "timeout" | "network"; message: string };
}

export interface HttpOptions {
  method: "GET" | "POST";
  url: string;
  body?: string;
  headers?: Record<string, string>;
  timeoutMs: number;
  agent?: HttpAgent;
}

/** One HTTP exchange with a deadline, as WeChat makes it (no redirects followed). */
export function send(options: HttpOptions): Promise<HttpResult> {
  const started = performance.now();
  const url = new URL(options.url);
  const request = url.protocol === "https:" ? httpsRequest : httpRequest;
  const body = options.body === undefined ? undefined : Buffer.from(options.body, "utf8");
  return new Promise((resolve) => {
    let settled = false;
    const finish = (result: Omit<HttpResult, "latencyMs">): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      resolve({ ...result, latencyMs: performance.now() - started });
    };
    const headers: Record<string, string | number> = { "User-Agent": "Mozilla/4.0 (wxdev simulator)", ...options.headers };
    if (body !== undefined) headers["Content-Length"] = body.length;
    const req = request(url, { method: options.method, headers, agent: options.agent }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (chunk: Buffer) => chunks.push(chunk));
      res.on("end", () => finish({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString("utf8") }));
      res.on("error", (error) => finish({ status: 0, headers: {}, body: "", failure: { kind: "network", message: error.message } }));
    });
    const timer = setTimeout(() => {
      finish({ status: 0, headers: {}, body: "", failure: { kind: "timeout", message: `no answer within ${options.timeoutMs} ms` } });
      req.destroy();
    }, options.timeoutMs);
    req.on("error", (error: NodeJS.ErrnoException) =>
      finish({ status: 0, headers: {}, body: "", failure: { kind: "network", message: describeNetworkError(error, url) } }),
    );
    req.end(body);
  });
}

function describeNetworkError(error: NodeJS.ErrnoException, url: URL): string {
  switch (error.code) {
    case "ECONNREFUSED":
      return `connection refused by ${url.host}: is the server running on that port?`;
    case "ENOTFOUND":
      return `host ${url.hostname} not found`;
    case "ECONNRESET":
      return `${url.host} closed the connection without answering`;
    default:
      return error.message;
  }
}
