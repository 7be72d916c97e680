import { createServer as createHttpServer, type RequestListener, type Server } from "node:http";
import { connect, createServer, type Server as NetServer, type Socket } from "node:net";
import { Duplex } from "node:stream";
import { afterEach, describe, expect, it } from "vitest";
import { listen } from "../../src/core/support/listen.js";
import { createTunnelProxy, type TunnelExchange, type TunnelProxyOptions } from "../../src/core/remote/tunnel/proxy.js";

// The proxy reads whatever Duplex sshd's forward hands it: an ssh2 channel, a stream with no socket handle under
// it. Here a real TCP connection is passed on through such a stream (channelOf), half-open capable as ssh2's
// channels are, and the "laptop's app" is a real HTTP server.
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

/** A stream over a socket, as ssh2 hands over a forwarded channel: its bytes come as "data", not from a handle. */
function channelOf(socket: Socket): Duplex {
  const channel = new Duplex({
    allowHalfOpen: true,
    read: () => void socket.resume(),
    write: (chunk, encoding, callback) => void socket.write(chunk, encoding, callback),
    final: (callback) => void socket.end(callback),
    destroy: (error, callback) => {
      socket.destroy();
      callback(error);
    },
  });
  socket.on("data", (chunk) => {
    if (!channel.push(chunk)) socket.pause();
  });
  socket.on("end", () => channel.push(null));
  socket.on("error", () => undefined);
  socket.on("close", () => channel.destroy());
  return channel;
}

/** The proxy behind a TCP port; returns the port and the exchanges it reports. */
async function startProxy(options: Omit<TunnelProxyOptions, "onExchange">) {
  const exchanges: TunnelExchange[] = [];
  const proxy = createTunnelProxy({ ...options, onExchange: (exchange) => exchanges.push(exchange) });
  const front: NetServer = createServer({ allowHalfOpen: true }, (socket) => proxy.accept(channelOf(socket)));
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
  ])("a client that %s is closed in time; the app is not blamed in the log", async (_what, request) => {
    let seen = 0;
    const localPort = await startApp((_req, res) => {
      seen++;
      res.end("answered");
    });
    const { port, exchanges } = await startProxy({ localPort, idleTimeoutMs: 300, receiveTimeoutMs: 300 });
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

  it("a client that trickles its request a byte at a time is closed at the request deadline, not kept alive", async () => {
    const localPort = await startApp((_req, res) => res.end("answered"));
    const { port, exchanges } = await startProxy({ localPort, idleTimeoutMs: 300, receiveTimeoutMs: 800 });
    const request = post("<xml>".padEnd(1000, " "));
    const started = Date.now();
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => undefined);
    let sent = 0;
    // A byte every 100 ms: always within the idle time, never a whole request; 4 s of it if nothing closes it.
    const drip = setInterval(() => {
      if (sent < 40 && !socket.destroyed) socket.write(request[sent++] ?? "");
    }, 100);
    const closedAfterMs = await new Promise<number>((resolve) => {
      socket.on("close", () => resolve(Date.now() - started));
      setTimeout(() => resolve(Number.POSITIVE_INFINITY), 4_500);
    });
    clearInterval(drip);
    socket.destroy();
    expect(closedAfterMs).toBeGreaterThanOrEqual(800);
    expect(closedAfterMs).toBeLessThan(2_500);
    expect(exchanges).toEqual([]);
  }, 10_000);

  it("a body over the cap: 413 by its Content-Length, unread and never passed on; sent chunked, 413 at the cap", async () => {
    let seen = 0;
    const localPort = await startApp((req, res) => {
      seen++;
      req.resume();
      req.on("end", () => res.end("answered"));
    });
    const { port, exchanges } = await startProxy({ localPort, maxBodyBytes: 1024 });
    // Announced: answered at once, though not a byte of the body was sent.
    const announced = await talk(port, post("", 2048), false);
    expect(announced.text).toMatch(/^HTTP\/1\.1 413 [\s\S]*\r\nConnection: close\r\n[\s\S]*payload too large$/i);
    const chunk = "x".repeat(600);
    const chunked =
      "POST /wechat8013 HTTP/1.1\r\nHost: tunnel\r\nTransfer-Encoding: chunked\r\n\r\n" +
      `258\r\n${chunk}\r\n258\r\n${chunk}\r\n0\r\n\r\n`;
    expect((await talk(port, chunked, true)).text).toMatch(/^HTTP\/1\.1 413 /);
    expect((await talk(port, post("x".repeat(1024)), true)).text).toMatch(/^HTTP\/1\.1 200 [\s\S]*answered$/);
    expect(seen).toBe(1);
    expect(exchanges.map((exchange) => [exchange.status, exchange.error])).toEqual([
      [413, "a body over 1024 bytes"],
      [413, "a body over 1024 bytes"],
      [200, undefined],
    ]);
  });

  it("requests over the concurrency cap get 503 at once; those within it are answered", async () => {
    const waiting: (() => void)[] = [];
    const localPort = await startApp((req, res) => {
      req.resume();
      waiting.push(() => res.end("answered"));
    });
    const { port, exchanges } = await startProxy({ localPort, maxConcurrent: 3 });
    const talks = Array.from({ length: 5 }, () => talk(port, post("<xml/>"), true));
    await until(() => waiting.length === 3 && exchanges.length === 2);
    expect(exchanges.map((exchange) => [exchange.status, exchange.error])).toEqual([
      [503, "over 3 requests at once"],
      [503, "over 3 requests at once"],
    ]);
    for (const release of waiting) release();
    const statuses = (await Promise.all(talks)).map(({ text }) => text.slice(9, 12)).sort();
    expect(statuses).toEqual(["200", "200", "200", "503", "503"]);
  });

  it("at the cap on open connections, a new one closes the connection idle the longest", async () => {
    const localPort = await startApp((req, res) => {
      req.resume();
      req.on("end", () => res.end("answered"));
    });
    const { port } = await startProxy({ localPort, maxChannels: 3 });
    const idle = await Promise.all([0, 1, 2].map(() => openSocket(port)));
    const { text } = await talk(port, post("<xml/>"), true);
    expect(text).toMatch(/^HTTP\/1\.1 200 [\s\S]*answered$/);
    await until(() => idle[0]?.closed === true);
    expect(idle.map((socket) => socket.closed)).toEqual([true, false, false]);
  });

  it("an answer over the reply cap is refused with 502 and a log line, never cut short as a 200", async () => {
    const localPort = await startApp((req, res) => {
      req.resume();
      res.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 48; i++) res.write("y".repeat(64 * 1024));
      res.end();
    });
    const { port, exchanges } = await startProxy({ localPort, maxReplyBytes: 1024 * 1024 });
    const { text } = await talk(port, post("<xml/>"), true);
    expect(text).toMatch(/^HTTP\/1\.1 502 [\s\S]*\r\n\r\nbad gateway$/);
    expect(exchanges[0]).toMatchObject({
      status: 502,
      error: `the app on 127.0.0.1:${localPort} answered with more than 1048576 bytes (the tunnel's cap)`,
    });
  });

  it("hop-by-hop headers, and those a Connection header names, go no further in either direction", async () => {
    let received: Record<string, unknown> = {};
    const localPort = await startApp((req, res) => {
      received = req.headers;
      req.resume();
      res.writeHead(200, {
        Connection: "X-App-Hop",
        "X-App-Hop": "app secret",
        "Proxy-Authenticate": "Basic",
        "X-Kept": "yes",
      });
      res.end("answered");
    });
    const { port } = await startProxy({ localPort });
    const request =
      "POST /wechat8013 HTTP/1.1\r\nHost: tunnel\r\nConnection: keep-alive, X-Client-Hop\r\nX-Client-Hop: 1\r\n" +
      "Keep-Alive: timeout=5\r\nProxy-Authorization: Basic eA==\r\nTE: trailers\r\nX-Kept: yes\r\n" +
      "Content-Length: 6\r\n\r\n<xml/>";
    const { text } = await talk(port, request, true);
    expect(Object.keys(received).sort()).toEqual(["connection", "content-length", "host", "x-kept"]);
    expect(received.connection).toBe("keep-alive"); // the proxy's own hop to the app
    const head = text.slice(0, text.indexOf("\r\n\r\n")).toLowerCase();
    expect(head).toContain("x-kept: yes");
    expect(head).not.toContain("x-app-hop");
    expect(head).not.toContain("proxy-authenticate");
  });
});

/** A connection that sends nothing; `closed` turns true when the other end closes it. */
function openSocket(port: number): Promise<{ closed: boolean }> {
  return new Promise((resolve) => {
    const state = { closed: false };
    const socket = connect(port, "127.0.0.1", () => resolve(state));
    socket.on("error", () => undefined);
    socket.on("close", () => {
      state.closed = true;
    });
    closers.push(() => void socket.destroy());
  });
}

async function until(test: () => boolean, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!test()) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
