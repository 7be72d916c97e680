import { spawn } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { send } from "../../src/core/client/exchange.js";
import { handshake } from "../../src/core/client/handshake.js";
import { createTarget, type Target } from "../../src/core/client/target.js";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { type ExchangeRecord, formatRecord } from "../../src/core/wire/exchange-record.js";
import { buildEvent, buildMessage } from "../../src/core/wire/messages.js";
import type { XmlRecord } from "../../src/core/wire/xml.js";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";
import { APP_ID, KEY } from "../helpers/fixtures.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";
import { type RunningTestServer, startBroken, startServe, startWebot } from "../helpers/wechat-servers.js";

const TOKEN = "replaytoken";
const env = { WXDEV_TOKEN: TOKEN };
const safeEnv = { ...env, WXDEV_AES_KEY: KEY, WXDEV_APP_ID: APP_ID };
const crypto = new MessageCrypto({ token: TOKEN, encodingAESKey: KEY, appId: APP_ID });
const tempDir = tempDirs();

const header = { fromUserName: "oReplayUser", toUserName: "gh_replay" };
const messages = (): XmlRecord[] => [
  buildMessage("text", { Content: "你好 replay" }, header),
  buildMessage("image", { PicUrl: "http://x/p.jpg" }, header),
  buildEvent("subscribe", {}, header),
];

const pathOf = (url: string): string => {
  const parsed = new URL(url);
  return `${parsed.pathname}${parsed.search}`;
};

/** Records real exchanges with a server: a handshake, then each message, as the tunnel would write them. */
async function record(target: Target): Promise<string> {
  const time = new Date().toISOString();
  const shake = await handshake(target);
  const records: ExchangeRecord[] = [
    { time, method: "GET", path: pathOf(shake.url), body: "", status: shake.status, reply: shake.body, latencyMs: 1 },
  ];
  for (const message of messages()) {
    const result = await send(target, message);
    expect(result.ok).toBe(true);
    const { url, body } = result.request;
    records.push({
      time,
      method: "POST",
      path: pathOf(url),
      body,
      status: result.status,
      reply: result.raw,
      latencyMs: 1,
    });
  }
  return records.map(formatRecord).join("");
}

function writeRecording(name: string, text: string): string {
  const file = join(tempDir("wxdev-replay-"), name);
  writeFileSync(file, text);
  return file;
}

// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the command printed, field by field
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

let plain: RunningTestServer;
let safe: RunningTestServer;
let changed: RunningTestServer;
let otherToken: RunningTestServer;
let webotSafe: RunningTestServer;
let plainFile: string;
let safeFile: string;

beforeAll(async () => {
  [plain, safe, changed, otherToken, webotSafe] = await Promise.all([
    startServe([], env),
    startServe(["--mode", "safe"], safeEnv),
    startServe(["--fallback", "a new answer"], env),
    startServe([], { WXDEV_TOKEN: "another-token" }),
    startWebot({ token: TOKEN, appid: APP_ID, encodingAESKey: KEY }),
  ]);
  plainFile = writeRecording("plain.ndjson", await record(createTarget({ url: plain.url, token: TOKEN })));
  safeFile = writeRecording(
    "safe.ndjson",
    await record(createTarget({ url: safe.url, token: TOKEN, mode: "safe", crypto })),
  );
});
afterAll(async () => {
  await Promise.all([plain, safe, changed, otherToken, webotSafe].map((server) => server?.close()));
});

describe("wxdev simulate --replay: recorded traffic sent again and compared", () => {
  it("the same server answers as recorded: one line per record, a summary, exit 0", async () => {
    const result = await runMain(["simulate", "--replay", plainFile, "--url", plain.url], { env });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const lines = result.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^#1 {2}handshake {2}same/);
    expect(lines[1]).toMatch(/^#2 {2}text: "你好 replay" {2}same/);
    expect(lines[2]).toMatch(/^#3 {2}image: "http:\/\/x\/p.jpg" {2}same/);
    expect(lines[3]).toMatch(/^#4 {2}event subscribe {2}same/);
    expect(lines[4]).toMatch(/4 replayed: 4 same, 0 differ, 0 failed: the server answers as recorded/);
  });

  it("safe mode: the recording is decrypted, re-encrypted and re-signed; the server accepts it, replies match", async () => {
    const text = readFileSync(safeFile, "utf8");
    expect(text).not.toContain("你好 replay"); // the recording holds only ciphertext…
    expect(text).not.toContain(TOKEN); // …and no secret
    const result = await runMain(["simulate", "--replay", safeFile, "--url", safe.url, "--json"], { env: safeEnv });
    expect(result.code).toBe(0);
    const out = json(result.stdout);
    expect(out).toMatchObject({ ok: true, same: 4, differs: 0, failed: 0, skipped: 0 });
    expect(out.messages.map((m: { verdict: string }) => m.verdict)).toEqual(["same", "same", "same", "same"]);
    expect(out.messages[1].message.Content).toBe("你好 replay");
    expect(result.stdout).not.toContain(KEY);
  });

  it("safe mode: a stranger's encrypted-looking request the server refused then is skipped, not an error", async () => {
    const stranger = formatRecord({
      time: "",
      method: "POST",
      path: "/wechat8013?signature=0&timestamp=1&nonce=2&encrypt_type=aes&msg_signature=0",
      body: "<xml><ToUserName>gh_x</ToUserName><Encrypt>bm90IGNpcGhlcnRleHQ=</Encrypt></xml>",
      status: 403,
      reply: "invalid signature",
      latencyMs: 1,
    });
    const input = readFileSync(safeFile, "utf8") + stranger;
    const result = await runMain(["simulate", "--replay", "-", "--url", safe.url], { env: safeEnv, input });
    expect(result.stdout).toMatch(/^#5 {2}request {2}skipped: refused when recorded and cannot be decrypted/m);
    expect(result.stdout).toMatch(/4 replayed: 4 same, 0 differ, 0 failed, 1 skipped/);
    expect(result.code).toBe(0);
  });

  it("an independent server (the wechat npm middleware) accepts the re-encrypted, re-signed messages", async () => {
    const recorded = writeRecording(
      "webot.ndjson",
      await record(createTarget({ url: webotSafe.url, token: TOKEN, mode: "safe", crypto })),
    );
    const result = await runMain(["simulate", "--replay", recorded, "--url", webotSafe.url], { env: safeEnv });
    expect(result.stdout).toMatch(/4 replayed: 4 same/);
    expect(result.code).toBe(0);
  });

  it("a server that now answers differently: the changed field is named, exit 1", async () => {
    const result = await runMain(["simulate", "--replay", plainFile, "--url", changed.url], { env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(/^#2 {2}text: "你好 replay" {2}same/m);
    expect(result.stdout).toMatch(
      /^#3 {2}image: "http:\/\/x\/p.jpg" {2}differs: Content "i love him" → "a new answer"/m,
    );
    expect(result.stdout).toMatch(/✗ 4 replayed: 3 same, 1 differ, 0 failed/);
  });

  it("a server with another Token: the status change is reported with its cause, exit 1", async () => {
    const result = await runMain(["simulate", "--replay", plainFile, "--url", otherToken.url, "--json"], { env });
    expect(result.code).toBe(1);
    const out = json(result.stdout);
    expect(out).toMatchObject({ ok: false, same: 0, differs: 4 });
    expect(out.messages[1].status).toEqual({ recorded: 200, today: 403 });
    expect(out.messages[1].problems[0].message).toMatch(/rejected the signature/);
    const text = await runMain(["simulate", "--replay", plainFile, "--url", otherToken.url], { env });
    expect(text.stdout).toMatch(/^#2 {2}text: "你好 replay" {2}status 200 → 403/m);
    expect(text.stdout).toMatch(/error HTTP 403: the server rejected the signature/);
  });

  it("reads the recording from stdin with -", async () => {
    const input = readFileSync(plainFile, "utf8");
    const result = await runMain(["simulate", "--replay", "-", "--url", plain.url], { env, input });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/4 replayed: 4 same/);
  });

  it("records that are not from WeChat are skipped and said so", async () => {
    const stranger = formatRecord({
      time: "",
      method: "POST",
      path: "/wechat8013",
      body: "hello",
      status: 403,
      reply: "invalid signature",
      latencyMs: 1,
    });
    const input = readFileSync(plainFile, "utf8") + stranger;
    const result = await runMain(["simulate", "--replay", "-", "--url", plain.url], { env, input });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^#5 {2}request {2}skipped: not signed/m);
    expect(result.stdout).toMatch(/4 replayed: 4 same, 0 differ, 0 failed, 1 skipped/);
  });
});

describe("wxdev simulate --replay: records the tunnel answered itself", () => {
  it("a message that met the tunnel's 502 (the app was down) holds no answer to compare: skipped, exit 0", async () => {
    const [, text] = readFileSync(plainFile, "utf8").split("\n");
    const recorded = JSON.parse(text ?? "") as ExchangeRecord;
    const downThen = formatRecord({
      ...recorded,
      status: 502,
      reply: "bad gateway",
      error: "nothing listens on 127.0.0.1:8013: start your app there (or use --serve)",
    });
    const input = readFileSync(plainFile, "utf8") + downThen;
    const result = await runMain(["simulate", "--replay", "-", "--url", plain.url], { env, input });
    expect(result.stdout).toMatch(/^#5 {2}request {2}skipped: the tunnel answered 502 itself, not the app/m);
    expect(result.stdout).toMatch(/4 replayed: 4 same, 0 differ, 0 failed, 1 skipped/);
    expect(result.code).toBe(0);
  });
});

describe("wxdev simulate --replay: bad input is one line and exit 2, before anything is sent", () => {
  it("a bad line is named by its number", async () => {
    const file = writeRecording(
      "bad.ndjson",
      `${formatRecord({ time: "", method: "GET", path: "/", body: "", status: 200, reply: "", latencyMs: 0 })}{not json\n`,
    );
    const result = await runMain(["simulate", "--replay", file, "--url", plain.url], { env });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toContain(`${file}:2: not a JSON line`);
  });

  it.each([
    ["a message type", ["text", "hi"], /--replay .* takes no text hi/],
    ["--file", ["--file", "m.xml"], /takes no --file/],
    ["--count", ["--count", "5"], /takes no --count/],
    ["a field flag", ["--lat", "1"], /takes no --lat/],
  ])("--replay with %s is a usage error", async (_name, extra, message) => {
    const result = await runMain(["simulate", "--replay", plainFile, ...extra, "--url", plain.url], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });

  it("a safe-mode recording without the EncodingAESKey names the record and the fix", async () => {
    const result = await runMain(["simulate", "--replay", safeFile, "--url", safe.url], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/record #2 was recorded in safe mode: replaying it needs the EncodingAESKey/);
  });

  it("a safe-mode recording with another key cannot be decrypted: named, exit 2, nothing sent", async () => {
    const otherKey = "A".repeat(43);
    const result = await runMain(["simulate", "--replay", safeFile, "--url", "http://127.0.0.1:9/none"], {
      env: { ...safeEnv, WXDEV_AES_KEY: otherKey },
    });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/record #2: cannot decrypt the recorded message/);
    expect(result.stderr).not.toContain(otherKey);
  });

  it("a recording with nothing from WeChat in it", async () => {
    const file = writeRecording("empty.ndjson", "\n\n");
    const result = await runMain(["simulate", "--replay", file, "--url", plain.url], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/holds no handshake or message from WeChat to replay/);
  });
});

describe("the built binary: wxdev simulate --replay", () => {
  it("prints the per-record lines on stdout, nothing on stderr, and exits 1 when an answer changed", async () => {
    const result = await runCli(["simulate", "--replay", plainFile, "--url", changed.url], { env });
    expect(result.stderr).toBe("");
    expect(result.stdout).toMatch(
      /^#3 {2}image: "http:\/\/x\/p.jpg" {2}differs: Content "i love him" → "a new answer"/m,
    );
    expect(result.code).toBe(1);
    const bad = await runCli(["simulate", "--replay", "/nonexistent.ndjson", "--url", plain.url], { env });
    expect(bad).toMatchObject({ code: 2, stdout: "" });
    expect(bad.stderr).toMatch(/cannot read \/nonexistent.ndjson: no such file/);
    expect(bad.stderr.trim().split("\n").length).toBeLessThanOrEqual(2);
  });
});

describe("Ctrl-C during a replay", () => {
  it("stops after the record in flight, reports what was replayed and exits 130", async () => {
    const slow = await startBroken("slow", TOKEN, 1_500);
    try {
      const text = readFileSync(plainFile, "utf8");
      const file = writeRecording("long.ndjson", text.repeat(10));
      const child = spawn(process.execPath, [BIN, "simulate", "--replay", file, "--url", slow.url], {
        env: cleanEnv(env),
        stdio: ["ignore", "pipe", "pipe"],
      });
      let stdout = "";
      let stderr = "";
      // Ctrl-C once the handshake is reported: the slow text message (#2) is then in flight.
      child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
        stdout += chunk;
        if (stdout.startsWith("#1 ") && !child.killed) child.kill("SIGINT");
      });
      child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
      const code = await new Promise<number | null>((resolve) => child.on("close", resolve));
      expect(code).toBe(130);
      expect(stderr).toMatch(/interrupted \(Ctrl-C\): the report covers the records replayed so far/);
      expect(stdout).toMatch(/^#2 {2}text: "你好 replay" {2}same/m);
      expect(stdout).not.toMatch(/^#3 /m);
      expect(stdout).toMatch(/2 replayed: 2 same, 0 differ, 0 failed$/m);
    } finally {
      await slow.close();
    }
  });
});
