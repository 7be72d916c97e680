import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { connect, createServer, type Server as NetServer } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../src/core/listen.js";
import { createTunnelProxy, type TunnelExchange, type TunnelProxyOptions } from "../../src/core/remote/tunnel-proxy.js";

// The proxy reads whatever Duplex sshd's forward hands it; here a real TCP socket stands in for the channel,
// half-open capable as ssh2's channels are, and the "laptop's app" is a real HTTP server.
const closers: (() => Promise<void> | void)[] = [];
afterEach(async () => {
  for (const close of closers.splice(0).reverse()) await close();
});

async function startApp(listener: RequestListener): Promise<number> {
  const app: Server = createHttpServer(listener);
  const running = await listen(app, 0, "127.0.0.1");
  closers.push(() => {
    app.closeAllConnections();
    return running.close();
  });
  return running.port;
}

/** The proxy behind a TCP port; returns the port and the exchanges it reports. */
async function startProxy(options: Omit<TunnelProxyOptions, "onExchange">) {
  const exchanges: TunnelExchange[] = [];
  const proxy = createTunnelProxy({ ...options, onExchange: (exchange) => exchanges.push(exchange) });
  const front: NetServer = createServer({ allowHalfOpen: true }, (socket) => proxy.accept(socket));
  await new Promise<void>((resolve) => front.listen(0, "127.0.0.1", resolve));
  closers.push(() => {
    proxy.close();
    return new Promise<void>((resolve) => front.close(() => resolve()));
  });
  const address = front.address();
  if (address === null || typeof address === "string") throw new Error("no port");
  return { port: address.port, exchanges };
}

/** Connects, sends `request` (then half-closes when `end`), and collects all that comes back until the close. */
function talk(port: number, request: string, end: boolean): Promise<{ text: string; closedAfterMs: number }> {
  return new Promise((resolve) => {
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    let text = "";
    socket.on("data", (chunk: Buffer) => {
      text += chunk.toString("utf8");
    });
    socket.on("error", () => undefined);
    socket.on("close", () => resolve({ text, closedAfterMs: Date.now() - started }));
    socket.on("connect", () => (end ? socket.end(request) : socket.write(request)));
  });
}

const post = (body: string, length = Buffer.byteLength(body)): string =>
  `POST /wechat8013 HTTP/1.1\r\nHost: tunnel\r\nContent-Length: ${length}\r\n\r\n${body}`;

describe("the tunnel's proxy (its edge cases, over real sockets)", () => {
  it("a client that half-closes after its request (as ssh -R passes on) still gets the app's answer", async () => {
    const localPort = await startApp((req, res) => {
      req.resume();
      req.on("end", () => res.end("answered"));
    });
    const { port, exchanges } = await startProxy({ localPort });
    const { text } = await talk(port, post("<xml/>"), true);
    expect(text).toMatch(/^HTTP\/1\.1 200 /);
    expect(text.endsWith("answered")).toBe(true);
    expect(exchanges.map((exchange) => exchange.status)).toEqual([200]);
  });

  it.each([
    ["never sends a byte", ""],
    ["stops halfway through its headers", "POST /wechat8013 HTTP/1.1\r\nHost: tun"],
    ["stops halfway through its body", post("<xml>", 100)],
  ])("a client that %s is closed once idle; the app is not blamed in the log", async (_what, request) => {
    let seen = 0;
    const localPort = await startApp((_req, res) => {
      seen++;
      res.end("answered");
    });
    const { port, exchanges } = await startProxy({ localPort, idleTimeoutMs: 300 });
    const { text, closedAfterMs } = await talk(port, request, false);
    expect(text).toBe("");
    expect(closedAfterMs).toBeGreaterThanOrEqual(250);
    expect(seen).toBe(0);
    expect(exchanges).toEqual([]);
  });

  it("waiting for a slow app is not idleness: its answer after the idle time still arrives", async () => {
    const localPort = await startApp((req, res) => {
      req.resume();
      setTimeout(() => res.end("late but fine"), 700);
    });
    const { port } = await startProxy({ localPort, idleTimeoutMs: 300, timeoutMs: 5_000 });
    const { text } = await talk(port, post("<xml/>"), true);
    expect(text).toMatch(/^HTTP\/1\.1 200 [\s\S]*late but fine$/);
  });

  it("an app that drips its answer a byte at a time is cut at the deadline: 504, and the log says why", async () => {
    const localPort = await startApp((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      const timer = setInterval(() => res.write(" "), 50);
      res.on("close", () => clearInterval(timer));
    });
    const { port, exchanges } = await startProxy({ localPort, timeoutMs: 600 });
    const { text } = await talk(port, post("<xml/>"), true);
    expect(text).toMatch(/^HTTP\/1\.1 504 [\s\S]*\r\n\r\ngateway timeout$/);
    expect(exchanges).toHaveLength(1);
    expect(exchanges[0]).toMatchObject({ status: 504, error: expect.stringContaining("did not answer in time") });
  }, 10_000);
});
