import fc from "fast-check";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCommand, startMock } from "../helpers/processes.js";
import { startServe } from "../helpers/wechat-servers.js";

const TOKEN = "fuzztoken";

/** Sends raw bytes over TCP (no HTTP client to tidy the request line), half-closes, and returns all the server sent. */
function rawRequest(port: number, bytes: Buffer | string, timeoutMs = 3_000): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    const chunks: Buffer[] = [];
    const timer = setTimeout(() => socket.destroy(), timeoutMs);
    socket.on("data", (chunk: Buffer) => chunks.push(chunk));
    socket.on("error", (error: NodeJS.ErrnoException) =>
      error.code === "ECONNRESET" || error.code === "EPIPE" ? undefined : reject(error),
    );
    socket.on("close", () => {
      clearTimeout(timer);
      resolve(Buffer.concat(chunks).toString("latin1"));
    });
    socket.end(bytes);
  });
}

/** Status codes of every response in what the server sent. */
const statuses = (answer: string): number[] => [...answer.matchAll(/^HTTP\/1\.1 (\d{3}) /gm)].map((m) => Number(m[1]));

const odd = <T>(...values: T[]): fc.Arbitrary<T> => fc.constantFrom(...values);

const methods = fc.oneof(
  odd("GET", "POST", "PUT", "HEAD", "OPTIONS", "CONNECT", "DELETE", "get", "G\0T", "", "PRI"),
  fc.stringMatching(/^[A-Z]{1,12}$/),
);
const hosts = fc.oneof(
  odd("", "x", "%zz", "[", "[::1", "a:b@", ":99999", "ü", "xn--", "127.0.0.1:0"),
  fc.string({ maxLength: 12 }),
);
const paths = fc.oneof(
  odd(
    "/wechat8013",
    "/index",
    "/connect/oauth2/authorize",
    "/connect/oauth2/authorize/confirm",
    "/sns/userinfo",
    "/avatar/1.svg",
    "/avatar/9.svg",
    "/",
    "",
  ),
  fc.string({ maxLength: 20 }),
);
const queries = fc.oneof(
  odd(
    "",
    "?",
    "?%zz",
    "?signature=%&timestamp=%zz&nonce",
    "?code=%zz",
    "?echostr=\u00e9",
    "?redirect_uri=javascript://x/%0aalert(1)&appid=wxdevmock&scope=snsapi_base&state=",
  ),
  fc.string({ maxLength: 30 }).map((s) => `?${s}`),
);
const targets = fc.oneof(
  odd(
    "http:///",
    "//",
    "/%zz",
    "*",
    "http://",
    "https://[/",
    "http://a:b@/x",
    "file:///etc/passwd",
    "javascript:alert(1)",
    "\\",
    "/\0",
    "/ü",
    "/..%2f..%2f",
    "#",
    `/${"a".repeat(10_000)}`,
  ),
  fc
    .tuple(odd("http://", "https://", "//", "HTTP://", "ftp://", "http:/", "http:"), hosts, paths, queries)
    .map((parts) => parts.join("")),
  fc.tuple(paths, queries).map(([path, query]) => `${path}${query}`),
  fc.string({ maxLength: 40 }),
);
const versions = odd("HTTP/1.1", "HTTP/1.0", "HTTP/0.9", "HTTP/2.0", "HTTP/1.1x", "http/1.1", "", "HTTP/1.1 extra");
const headers = fc.array(
  fc.oneof(
    odd(
      "Host: x",
      "Host: x",
      "Host: other",
      "Host:",
      "Content-Length: 5",
      "Content-Length: abc",
      "Content-Length: -1",
      "Content-Length: 99999999999999999999",
      "Content-Length: 3",
      "Transfer-Encoding: chunked",
      "Transfer-Encoding: gzip, chunked",
      "Expect: 100-continue",
      "Content-Type: application/x-www-form-urlencoded",
      "Connection: close",
      "no colon",
      "X-Nul: a\0b",
      "X-Ütf: ü",
      " folded",
      `X-Big: ${"b".repeat(20_000)}`,
    ),
    fc
      .tuple(fc.stringMatching(/^[A-Za-z-]{1,10}$/), fc.string({ maxLength: 20 }))
      .map(([name, value]) => `${name}: ${value}`),
  ),
  { maxLength: 5 },
);
const bodies = fc.oneof(
  odd(
    "",
    "decision=allow&user=1&appid=wxdevmock&redirect_uri=javascript://x/&scope=snsapi_base&state=",
    "0\r\n\r\n",
    "zz\r\nxx\r\n",
    "<xml><a>",
  ),
  fc.string({ maxLength: 40 }),
);
/** What an HTTP parser lets through to the handler: any printable target, a known method, valid headers. */
const printable = fc.stringMatching(/^[!-~]{0,30}$/);
const passable = fc
  .tuple(
    odd("GET", "POST", "PUT", "HEAD", "OPTIONS", "DELETE"),
    fc.oneof(
      fc
        .tuple(odd("http://", "https://", "//", "http:/", "http:", "HTTP://", "ws://"), printable, paths, queries)
        .map((parts) => parts.join(""))
        .filter((t) => /^[!-~]*$/.test(t)),
      printable,
    ),
    odd("HTTP/1.1", "HTTP/1.0"),
    fc.array(
      odd(
        "Host: x",
        "Content-Type: application/x-www-form-urlencoded",
        "Content-Length: 3",
        "Transfer-Encoding: chunked",
        "Expect: 100-continue",
        `X-Big: ${"b".repeat(8_000)}`,
      ),
      { maxLength: 2 },
    ),
    bodies,
  )
  .map(
    ([method, target, version, lines, body]) =>
      `${method} ${target} ${version}\r\n${["Host: x", ...lines].join("\r\n")}\r\n\r\n${body}`,
  );
const requests = fc.oneof(
  { weight: 6, arbitrary: passable },
  {
    weight: 3,
    arbitrary: fc
      .tuple(methods, targets, versions, headers, bodies)
      .map(
        ([method, target, version, lines, body]) =>
          `${method} ${target} ${version}\r\n${["Host: x", ...lines].join("\r\n")}\r\n\r\n${body}`,
      ),
  },
  { weight: 1, arbitrary: fc.uint8Array({ maxLength: 200 }).map((bytes) => Buffer.from(bytes)) },
  { weight: 1, arbitrary: fc.string({ maxLength: 200 }) },
);

/** The killers first, then a few hundred generated request lines, targets and headers. */
async function fuzz(port: number, alive: RunningCommand, normal: string, expectNormal: RegExp): Promise<void> {
  const known = [
    "GET http:/// HTTP/1.1\r\nHost: x\r\n\r\n",
    "GET // HTTP/1.1\r\nHost: x\r\n\r\n",
    "POST http://[/ HTTP/1.1\r\nHost: x\r\nContent-Length: 3\r\n\r\nabc",
  ];
  const check = async (request: Buffer | string): Promise<void> => {
    const answer = await rawRequest(port, request);
    for (const status of statuses(answer))
      expect(status, `${JSON.stringify(String(request).slice(0, 200))} → ${status}`).toBeLessThan(500);
    expect(alive.child.exitCode, `the server died on ${JSON.stringify(String(request).slice(0, 200))}`).toBeNull();
    expect(await rawRequest(port, normal)).toMatch(expectNormal);
  };
  for (const request of known) {
    expect(statuses(await rawRequest(port, request))).toEqual([400]);
    await check(request);
  }
  await fc.assert(fc.asyncProperty(requests, check), { numRuns: 400, seed: 20_261_125, endOnFailure: true });
}

describe("no request a client can send stops the servers (raw TCP fuzz)", () => {
  let serve: Awaited<ReturnType<typeof startServe>>;
  let mock: Awaited<ReturnType<typeof startMock>>;
  beforeAll(async () => {
    [serve, mock] = await Promise.all([
      startServe([], { WXDEV_TOKEN: TOKEN }),
      startMock([], { WXDEV_APP_SECRET: "fuzzsecret" }),
    ]);
  });
  afterAll(async () => {
    await serve?.close();
    await mock?.stop();
  });

  it("wxdev serve answers every request line, target and header with at most a 4xx and carries on", async () => {
    const port = Number(new URL(serve.url).port);
    await fuzz(
      port,
      serve,
      "GET /wechat8013 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      /^HTTP\/1\.1 403 [\s\S]*\r\n\r\ninvalid signature$/,
    );
  }, 120_000);

  it("wxdev mock answers every request line, target and header with at most a 4xx and carries on", async () => {
    await fuzz(
      Number(new URL(mock.origin).port),
      mock,
      "GET /avatar/0.svg HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n",
      /^HTTP\/1\.1 200 [\s\S]*<svg/,
    );
  }, 120_000);
});
