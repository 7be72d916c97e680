import { request, type Dispatcher } from "undici";

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
  /** A connection pool to reuse (load mode); default: undici's global agent. */
  dispatcher?: Dispatcher;
}

/** One HTTP exchange with a deadline, as WeChat makes it (no redirects followed). */
export async function send(options: HttpOptions): Promise<HttpResult> {
  const started = performance.now();
  const url = new URL(options.url);
  try {
    const response = await request(url, {
      method: options.method,
      body: options.body,
      headers: { "user-agent": "Mozilla/4.0 (wxdev simulator)", ...options.headers },
      dispatcher: options.dispatcher,
      // undici's own deadlines: cheaper than an AbortSignal timer per request in load mode.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    const body = await response.body.text();
    return { status: response.statusCode, headers: response.headers, body, latencyMs: performance.now() - started };
  } catch (error) {
    const latencyMs = performance.now() - started;
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "UND_ERR_HEADERS_TIMEOUT" || code === "UND_ERR_BODY_TIMEOUT") {
      return { status: 0, headers: {}, body: "", latencyMs, failure: { kind: "timeout", message: `no answer within ${options.timeoutMs} ms` } };
    }
    return { status: 0, headers: {}, body: "", latencyMs, failure: { kind: "network", message: describeNetworkError(error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }, url) } };
  }
}

function describeNetworkError(error: NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }, url: URL): string {
  switch (error.code ?? error.cause?.code) {
    case "ECONNREFUSED":
      return `connection refused by ${url.host}: is the server running on that port?`;
    case "ENOTFOUND":
      return `host ${url.hostname} not found`;
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return `${url.host} closed the connection without answering`;
    default:
      return error.message;
  }
}
