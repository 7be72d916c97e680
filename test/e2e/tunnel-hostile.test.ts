import { readFileSync } from "node:fs";
import { createServer, type Server } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { parseRecords } from "../../src/core/wire/exchange-record.js";
import { listen } from "../../src/core/support/listen.js";
import { NGINX } from "../helpers/classroom.js";
import { sshdMissing } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { peakRss, startTunnelRig, type TunnelRig, until } from "../helpers/tunnel-rig.js";

// The tunnel's port on the server is open to every account there, and its public URL to the Internet: what a
// stranger or a classmate can send must neither stall it, nor exhaust the laptop, nor reach its terminal.
const temp = tempDirs();
const missing = sshdMissing() ?? (NGINX === undefined ? "no nginx" : undefined);

/** The audit's body: one unclosed CDATA opener after another, just under nginx's 1 MB. */
const UNCLOSED_CDATA = `<xml><![CDATA[${"<![CDATA[".repeat(116_000)}`;

// biome-ignore lint/suspicious/noControlCharactersInRegex: what must not be printed
const RAW_CONTROL = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** Sends a request straight to the server's port (as an account there would), its body chunked; resolves with
 * what came back once the connection closes. */
function sendChunked(port: number, chunks: number, chunkBytes: number): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("utf8").on("data", (text: string) => (answer += text));
    socket.on("error", () => undefined);
    socket.on("close", () => resolve(answer));
    socket.on("connect", async () => {
      socket.write("POST /wechat HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n");
      const chunk = `${chunkBytes.toString(16)}\r\n${"x".repeat(chunkBytes)}\r\n`;
      for (let i = 0; i < chunks && !socket.destroyed; i++) {
        if (!socket.write(chunk)) await new Promise((drained) => socket.once("drain", drained));
      }
      if (!socket.destroyed) socket.end("0\r\n\r\n");
    });
  });
}

describe.skipIf(missing !== undefined)("wxdev tunnel against hostile clients (real sshd and nginx)", () => {
  let rig: TunnelRig;

  beforeAll(async () => {
    rig = await startTunnelRig(temp);
  }, 90_000);
  afterEach(() => rig.stopAll());
  afterAll(() => rig?.close());

  it("bodies of unclosed CDATA openers beside a real message: each is answered, the message too", async () => {
    const command = await rig.tunnel(["--serve"]);
    for (let i = 0; i < 3; i++) {
      // Unsigned: serve refuses it; nginx would answer 504 if the tunnel stalled on it (its timeout is 5 s).
      const response = await fetch(rig.publicUrl(), { method: "POST", body: UNCLOSED_CDATA });
      expect(response.status).toBe(403);
      await response.text();
    }
    const sent = await rig.wx(["simulate", "text", "still answered", "--url", rig.publicUrl()]);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
    await until("the log lines", () => / 200 text /.test(command.output()));
    expect(command.output().match(/ 403 large body /g)).toHaveLength(3);
  });

  it("an unsigned POST with escape sequences in Event and MsgType: the log prints them escaped", async () => {
    const command = await rig.tunnel(["--serve"]);
    const bodies = [
      "<xml><MsgType>event</MsgType><Event><![CDATA[\u001b]0;pwned\u0007\u001b[31mred]]></Event></xml>",
      "<xml><MsgType><![CDATA[\u001b[2J\u009b2J\nforged 200]]></MsgType></xml>",
    ];
    for (const body of bodies) await (await fetch(rig.publicUrl(), { method: "POST", body })).text();
    await until("both lines", () => command.output().match(/ 403 /g)?.length === 2);
    const output = command.output();
    expect(output).not.toMatch(RAW_CONTROL);
    expect(output).toContain("403 event:\\x1b]0;pwned\\x07\\x1b[31mred");
    expect(output).toContain("403 \\x1b[2J\\x9b2J\\x0aforged 200");
  });

  it("a client that trickles a request a byte at a time is closed at the request deadline (10 s)", async () => {
    await rig.tunnel(["--serve"]);
    const socket = connect(rig.port, "127.0.0.1");
    socket.on("error", () => undefined);
    const started = Date.now();
    const request = "POST /wechat HTTP/1.1\r\nHost: x\r\nContent-Length: 100000\r\n\r\n";
    let sent = 0;
    const drip = setInterval(() => socket.write(request[sent++ % request.length] ?? "x"), 250);
    const closedAfterMs = await new Promise<number>((resolve) => {
      socket.on("close", () => resolve(Date.now() - started));
      setTimeout(() => resolve(Number.POSITIVE_INFINITY), 25_000);
    });
    clearInterval(drip);
    socket.destroy();
    expect(closedAfterMs).toBeGreaterThanOrEqual(9_000);
    expect(closedAfterMs).toBeLessThan(16_000);
  }, 40_000);

  it("150 clients at once, each sending 3 MiB: refused at the caps, the tunnel's memory stays bounded", async () => {
    const command = await rig.tunnel(["--serve"]);
    const pid = command.child.pid ?? 0;
    const before = peakRss(pid);
    const answers = await Promise.all(Array.from({ length: 150 }, () => sendChunked(rig.port, 48, 64 * 1024)));
    const grew = peakRss(pid) - before;
    expect(grew, `peak RSS grew by ${Math.round(grew / 1024 / 1024)} MiB`).toBeLessThan(200 * 1024 * 1024);
    const statuses = answers.map((answer) => answer.slice(9, 12));
    expect(statuses.every((status) => status === "413" || status === "503" || status === "")).toBe(true);
    expect(statuses.filter((status) => status === "413").length).toBeGreaterThan(0);
    const sent = await rig.wx(["simulate", "text", "after the flood", "--url", rig.publicUrl()]);
    expect(sent.code, sent.stdout + sent.stderr).toBe(0);
  }, 60_000);

  it("--record keeps a part of a large body, says so, and a replay skips that record", async () => {
    const record = join(temp("wxdev-hostile-record-"), "big.ndjson");
    const command = await rig.tunnel(["--serve", "--record", record]);
    const shake = await rig.wx(["handshake", "--url", rig.publicUrl()]);
    expect(shake.code, shake.stdout + shake.stderr).toBe(0);
    const body = `<xml><MsgType>text</MsgType><Content>${"x".repeat(300_000)}</Content></xml>`;
    await (await fetch(rig.publicUrl(), { method: "POST", body })).text();
    await until("the record", () => / 403 large body /.test(command.output()));
    const [handshake, recorded] = parseRecords(readFileSync(record, "utf8"));
    expect(handshake?.truncated).toBeUndefined();
    expect(recorded?.body.length).toBe(64 * 1024);
    expect(recorded?.truncated).toEqual({ body: body.length, reply: "invalid signature".length });
    const replayed = await rig.wx(["simulate", "--replay", record, "--url", rig.publicUrl()]);
    expect(replayed.stdout).toContain(`#2  request  skipped: recorded in part (a body of ${body.length} bytes`);
    expect(replayed.code, replayed.stdout + replayed.stderr).toBe(0);
  });

  it("the app answers 12 MiB: the tunnel answers 502 and logs why, instead of cutting the answer short", async () => {
    const app: Server = createServer((request, response) => {
      request.resume();
      response.writeHead(200, { "content-type": "text/plain" });
      for (let i = 0; i < 192; i++) response.write("z".repeat(64 * 1024));
      response.end();
    });
    const running = await listen(app, rig.localPort, "127.0.0.1");
    try {
      const command = await rig.tunnel();
      const response = await fetch(rig.publicUrl());
      expect(response.status).toBe(502);
      expect(await response.text()).toBe("bad gateway");
      await until("the log line", () => / 502 /.test(command.output()));
      expect(command.output()).toContain(`answered with more than ${8 * 1024 * 1024} bytes (the tunnel's cap)`);
    } finally {
      app.closeAllConnections();
      await running.close();
    }
  });
});
