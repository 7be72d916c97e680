import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { handshake } from "../../src/core/client/handshake.js";
import { createTarget } from "../../src/core/client/target.js";

// A server whose answer to the handshake is chosen by the path: each path is one common mistake.
let server: Server;
let base = "";
beforeAll(async () => {
  server = createServer((req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const echostr = url.searchParams.get("echostr") ?? "";
    const answers: Record<string, () => void> = {
      "/exact": () => res.end(echostr),
      "/newline": () => res.end(`${echostr}\n`),
      "/quoted": () => res.end(JSON.stringify(echostr)),
      "/html": () => res.end("<!DOCTYPE html><html><body>Login</body></html>"),
      "/redirect": () => res.writeHead(301, { Location: "/exact/" }).end(),
      "/forbidden": () => res.writeHead(403).end(),
      "/bad-gateway": () => res.writeHead(502).end(),
      "/empty": () => res.end(""),
    };
    (answers[url.pathname] ?? (() => res.writeHead(404).end()))();
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

describe("handshake explains each common failure", () => {
  it.each([
    ["/exact", null],
    ["/newline", "whitespace"],
    ["/quoted", "quoted"],
    ["/html", "html"],
    ["/empty", "empty"],
    ["/redirect", "status"],
    ["/forbidden", "status"],
    ["/bad-gateway", "status"],
    ["/missing", "status"],
  ])("%s → %s", async (path, code) => {
    const result = await handshake(createTarget({ url: `${base}${path}`, token: "t" }));
    expect(result.ok).toBe(code === null);
    expect(result.problems.map((p) => p.code)).toEqual(code === null ? [] : [code]);
  });

  it("says what a redirect and a 403 mean", async () => {
    expect((await handshake(createTarget({ url: `${base}/redirect`, token: "t" }))).problems[0]?.message).toMatch(
      /does not follow redirects/,
    );
    const forbidden = await handshake(createTarget({ url: `${base}/forbidden`, token: "t" }));
    expect(forbidden.problems[0]?.message).toContain(`signature=${forbidden.signature}`);
  });

  it("reports an unreachable server without throwing", async () => {
    const result = await handshake(createTarget({ url: "http://127.0.0.1:9/x", token: "t", timeoutMs: 2000 }));
    expect(result.problems[0]?.code).toBe("unreachable");
  });
});
