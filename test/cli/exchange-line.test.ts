import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { exchangeLine, LOG_TEXT_CHARS, recordJson } from "../../src/cli/exchanges/line.js";
import { Output } from "../../src/cli/output.js";
import type { ExchangeRecord } from "../../src/core/wire/exchange-record.js";

const sink = new Writable({ write: (_chunk, _encoding, done) => done() });
const out = new Output({ json: false, color: false, verbose: false }, sink, sink);
const TIME = /^\d\d:\d\d:\d\d /;

const record = (extra: Partial<ExchangeRecord>): ExchangeRecord => ({
  time: "2026-12-05T11:00:00.000Z",
  method: "POST",
  path: "/wechat8013?signature=abc&timestamp=1&nonce=2",
  body: "<xml/>",
  status: 200,
  reply: "success",
  latencyMs: 1.234,
  ...extra,
});

describe("one request-log line for serve, the tunnel and the mock", () => {
  it.each([
    ["serve's safe-mode text", { kind: "text", encrypted: true, content: "hi" }, '200 text 🔒 "hi" 1.2 ms'],
    [
      "serve's retry",
      { kind: "text", content: "hi", retry: true },
      '200 text "hi" (retry: same reply, not handled again) 1.2 ms',
    ],
    [
      "serve's refusal",
      { method: "GET", status: 403, error: "invalid signature" },
      "403 GET /wechat8013 invalid signature 1.2 ms",
    ],
    [
      "the tunnel's own 502",
      { kind: "handshake", status: 502, error: "nothing listens on 127.0.0.1:8013" },
      "502 handshake nothing listens on 127.0.0.1:8013 1.2 ms",
    ],
    ["the mock's API call", { method: "GET", path: "/cgi-bin/token", body: "" }, "200 GET /cgi-bin/token 1.2 ms"],
  ])("%s", (_what, extra, line) => {
    const printed = exchangeLine(out, record(extra));
    expect(printed).toMatch(TIME);
    expect(printed.replace(TIME, "")).toBe(line);
  });

  it("escapes what came from the network and bounds it", () => {
    const printed = exchangeLine(out, record({ kind: "event:\u001b[2J", content: "x".repeat(5000) }));
    expect(printed).toContain("event:\\x1b[2J");
    expect(printed.length).toBeLessThan(LOG_TEXT_CHARS + 100);
  });

  it("--json prints the record itself, its texts clipped", () => {
    const line = recordJson(record({ body: "b".repeat(2000), kind: "text" }), { event: "request" });
    const parsed = JSON.parse(line);
    expect(parsed).toMatchObject({ event: "request", method: "POST", kind: "text", status: 200, latencyMs: 1.2 });
    expect(parsed.body).toMatch(/^b{500}… \(2000 characters\)$/);
  });
});
