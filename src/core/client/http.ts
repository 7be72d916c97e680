import { getGlobalDispatcher, type Dispatcher } from "undici";

/** What came back, or why nothing did; network failures are results here, not exceptions. */
export interface HttpResult {
  status: number;
  body: string;
  latencyMs: number;
  failure?: HttpFailure;
}

/** Why no answer came: `refused` = nothing listens on the port, `dns` = no such host. */
export interface HttpFailure {
  kind: "timeout" | "network";
  message: string;
  cause?: "refused" | "dns";
  /** The URL was https: a refused connection may mean the scheme is wrong. */
  https?: boolean;
  /** The URL had the scheme's own port (80, 443): what refused is where a web server (nginx) should listen. */
  webPort?: boolean;
  /** The host, when it is this machine (a loopback address or localhost). */
  loopback?: boolean;
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

const USER_AGENT = "Mozilla/4.0 (wxdev simulator)";

/**
 * One HTTP exchange with a deadline, as WeChat makes it (no redirects followed). Built on
 * undici's dispatch with a handler that only gathers the body: load mode sends thousands a
 * second, and request()'s body stream and promise chain cost more than the rest of a send.
 */
export function httpRequest(options: HttpOptions): Promise<HttpResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const url = new URL(options.url);
    let status = 0;
    let chunks: Buffer[] = [];
    let abort: ((error: Error) => void) | undefined;
    let settled = false;
    const settle = (result: HttpResult): void => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      resolve(result);
    };
    // One deadline for the whole answer, as WeChat keeps: a server that drips a byte at a
    // time must not hold the simulator past it.
    const deadline = setTimeout(() => {
      settle({
        status: 0,
        body: "",
        latencyMs: performance.now() - started,
        failure: { kind: "timeout", message: `no answer within ${options.timeoutMs} ms` },
      });
      abort?.(new Error("deadline passed"));
    }, options.timeoutMs);
    (options.dispatcher ?? getGlobalDispatcher()).dispatch(
      {
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method: options.method,
        body: options.body,
        headers: { "user-agent": USER_AGENT, ...options.headers },
      },
      {
        onConnect: (abortRequest) => {
          chunks = []; // a retried request starts over
          abort = abortRequest;
          if (settled) abortRequest(new Error("deadline passed"));
        },
        onHeaders: (statusCode) => {
          status = statusCode;
          return true;
        },
        onData: (chunk) => {
          chunks.push(chunk);
          return true;
        },
        onComplete: () => {
          const only = chunks.length === 1 ? chunks[0] : undefined;
          const body = only?.toString("utf8") ?? Buffer.concat(chunks).toString("utf8");
          settle({ status, body, latencyMs: performance.now() - started });
        },
        onError: (error) =>
          settle(
            failed(
              error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException },
              url,
              performance.now() - started,
            ),
          ),
      },
    );
  });
}

function failed(
  error: NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException },
  url: URL,
  latencyMs: number,
): HttpResult {
  return { status: 0, body: "", latencyMs, failure: describeNetworkError(error, url) };
}

/** `host:port` with the port spelled out, even the scheme's default (`example.com:443`). */
function endpointOf(url: URL): string {
  return `${url.hostname}:${url.port || (url.protocol === "https:" ? "443" : "80")}`;
}

function describeNetworkError(error: NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException }, url: URL): HttpFailure {
  switch (error.code ?? error.cause?.code) {
    case "ECONNREFUSED":
      if (url.protocol === "https:") {
        const message = `nothing listens on ${endpointOf(url)} (https, connection refused)`;
        return { kind: "network", cause: "refused", https: true, message };
      }
      return {
        kind: "network",
        cause: "refused",
        message: `nothing listens on ${endpointOf(url)} (connection refused)`,
        ...(url.port === "" ? { webPort: true } : {}),
        ...(/^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/.test(url.hostname) ? { loopback: true } : {}),
      };
    case "ENOTFOUND":
    case "EAI_AGAIN":
      return { kind: "network", cause: "dns", message: `host ${url.hostname} not found (DNS)` };
    case "ECONNRESET":
    case "UND_ERR_SOCKET":
      return { kind: "network", message: `${url.host} closed the connection without answering` };
    default:
      return { kind: "network", message: error.message };
  }
}
