import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { connect } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signature } from "../../src/core/wire/signature.js";
import { runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
/** Debian's python3, with python3-flask and python3-xmltodict (PATH's python3 may be another one). */
const PYTHON = "/usr/bin/python3";
const missing =
  spawnSync(PYTHON, ["-c", "import flask, xmltodict"]).status === 0
    ? undefined
    : `${PYTHON} lacks flask or xmltodict (apt-get install python3-flask python3-xmltodict)`;
if (missing && process.env.CI) throw new Error(`in CI nothing may skip: ${missing}`);
if (missing) console.warn(`skipping the generated-app tests: ${missing}`);

const TOKEN = "initToken2024";

/** What the generated app printed (Werkzeug's request log goes to stderr). */
let output = "";

/** Runs the generated wechat.py; resolves once its port answers (or rejects with what it printed). */
async function startApp(dir: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(PYTHON, ["wechat.py"], { cwd: dir, env: { PATH: process.env.PATH ?? "", ...env } });
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wechat.py exited with ${child.exitCode}: ${output}`);
    const up = await fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
    if (up) return child;
    if (Date.now() > deadline) throw new Error(`wechat.py did not listen on ${port}: ${output}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe.skipIf(missing !== undefined)("the app wxdev init writes, run by Debian's python3", () => {
  let dir: string;
  let port: number;
  let app: ChildProcess | undefined;
  const url = (): string => `http://127.0.0.1:${port}/wechat${port}`;

  beforeAll(async () => {
    dir = temp("wxdev-init-app-");
    port = await freePort();
    // The built binary, in a folder of its own, without a terminal: the flags the issue names.
    const init = await runCli(["init", "--account", `s${port}`, "--host", "127.0.0.1", "--token", TOKEN], {
      cwd: dir,
    });
    expect(init.code, init.stderr).toBe(0);
    expect(init.stderr).toBe("");
    expect(init.stdout).toMatch(/^Created the project in /);
    expect(init.stdout).toContain("wxdev check");
    expect(readdirSync(dir).sort()).toEqual([".gitignore", "requirements.txt", "wechat.py", "wxdev.config.json"]);
    app = await startApp(dir, port, { WECHAT_TOKEN: TOKEN });
  }, 30_000);

  afterAll(() => {
    app?.kill("SIGTERM");
  });

  it("wxdev check passes against it in plain mode (URL from the generated config, Token from WXDEV_TOKEN)", async () => {
    const result = await runMain(["check"], { cwd: dir, env: { WXDEV_TOKEN: TOKEN } });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    expect(result.stdout).toContain(`checking ${url()} in plain mode`);
    expect(result.stdout).toMatch(/pass\s+a message signed 1 hour ago is refused/);
    expect(result.stdout).toMatch(/ready: \d+ passed, 0 failed, 0 warnings, 0 skipped/);
  });

  it("passes plain check with an EncodingAESKey set: no safe or compat round trip is sent", async () => {
    const keyed = {
      WXDEV_TOKEN: TOKEN,
      WXDEV_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG",
      WXDEV_APP_ID: "wx1",
    };
    const result = await runMain(["check", "--json"], { cwd: dir, env: keyed });
    expect(result.code, result.stdout + result.stderr).toBe(0);
    const out = JSON.parse(result.stdout) as { modes: string[]; checks: { id: string; status: string }[] };
    expect(out.modes).toEqual(["plain"]);
    expect(out.checks.filter((check) => check.status !== "pass")).toEqual([]);
  });

  it("refuses a bad signature on POST and on GET with 403, and a signed malformed body with 400", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const body = "<xml><ToUserName>gh_x</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType></xml>";
    const forged = signature("someone-else", timestamp, "n1");
    const post = await fetch(`${url()}?signature=${forged}&timestamp=${timestamp}&nonce=n1`, { method: "POST", body });
    expect(post.status).toBe(403);
    const unsigned = await fetch(url(), { method: "POST", body });
    expect(unsigned.status).toBe(403);
    const get = await fetch(`${url()}?signature=${forged}&timestamp=${timestamp}&nonce=n1&echostr=e`);
    expect(get.status).toBe(403);
    expect(await get.text()).not.toContain("e\n");

    const signed = signature(TOKEN, timestamp, "n2");
    const good = await fetch(`${url()}?signature=${signed}&timestamp=${timestamp}&nonce=n2`, {
      method: "POST",
      body: body.replace("</MsgType>", "</MsgType><Content>a &lt;b&gt; &amp; ]]&gt; c</Content>"),
    });
    expect(good.status).toBe(200);
    const reply = await good.text();
    // Escaped, not CDATA: the text comes back intact, and CreateTime is in seconds.
    expect(reply).toContain("<Content>a &lt;b&gt; &amp; ]]&gt; c</Content>");
    expect(Number(/<CreateTime>(\d+)<\/CreateTime>/.exec(reply)?.[1])).toBeLessThan(10_000_000_000);
    const malformed = await fetch(`${url()}?signature=${signed}&timestamp=${timestamp}&nonce=n2`, {
      method: "POST",
      body: "<xml><ToUserName>",
    });
    expect(malformed.status).toBe(400);
  });

  /** A signed POST of `body` with `timestamp` (default now). */
  const post = (body: string, timestamp = String(Math.floor(Date.now() / 1000)), nonce = "n3") =>
    fetch(`${url()}?signature=${signature(TOKEN, timestamp, nonce)}&timestamp=${timestamp}&nonce=${nonce}`, {
      method: "POST",
      body,
    });
  const text = (content: string): string =>
    `<xml><ToUserName>gh_x</ToUserName><FromUserName>o1</FromUserName><MsgType>text</MsgType>` +
    `<Content>${content}</Content></xml>`;

  it("a non-ASCII signature is refused with 403, never a 500 with a traceback", async () => {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = `signature=${encodeURIComponent("签名")}&timestamp=${timestamp}&nonce=n1`;
    const get = await fetch(`${url()}?${query}&echostr=e`);
    expect(get.status).toBe(403);
    const posted = await fetch(`${url()}?${query}`, { method: "POST", body: text("hi") });
    expect(posted.status).toBe(403);
    expect(output).not.toContain("Traceback");
  });

  it("a POST outside 300 s of the clock is refused: a logged query replayed with another body gets 403", async () => {
    const old = String(Math.floor(Date.now() / 1000) - 600);
    const replayed = await post(text("forged by a classmate"), old);
    expect(replayed.status).toBe(403);
    expect(await replayed.text()).not.toContain("forged");
    const ahead = await post(text("from the future"), String(Math.floor(Date.now() / 1000) + 600));
    expect(ahead.status).toBe(403);
    expect((await post(text("fresh"))).status).toBe(200);
  });

  /**
   * The status line of a signed POST of `body` over a raw socket, chunked or with a Content-Length: the app may
   * answer 413 and close before the body is all sent (fetch then fails with EPIPE instead of reading the answer).
   */
  async function rawPost(body: string, chunked: boolean): Promise<string> {
    const timestamp = String(Math.floor(Date.now() / 1000));
    const query = `signature=${signature(TOKEN, timestamp, "n4")}&timestamp=${timestamp}&nonce=n4`;
    const framing = chunked ? "Transfer-Encoding: chunked" : `Content-Length: ${Buffer.byteLength(body)}`;
    const socket = connect(port, "127.0.0.1");
    let answer = "";
    socket.setEncoding("latin1").on("data", (chunk: string) => (answer += chunk));
    socket.on("error", () => undefined);
    socket.write(`POST /wechat${port}?${query} HTTP/1.1\r\nHost: 127.0.0.1\r\n${framing}\r\n\r\n`);
    const answered = (): boolean => answer.includes("\r\n");
    for (let at = 0; at < body.length && !socket.destroyed; at += 65_536) {
      // What came in is read before writing on (setImmediate runs after a poll): on a busy machine a timer can
      // fire first, and a write after the app's answer and close fails (EPIPE), dropping that answer unread.
      await new Promise((resolve) => setImmediate(resolve));
      if (answered()) break;
      const piece = body.slice(at, at + 65_536);
      socket.write(chunked ? `${piece.length.toString(16)}\r\n${piece}\r\n` : piece);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await new Promise((resolve) => setImmediate(resolve));
    if (chunked && !socket.destroyed && !answered()) socket.write("0\r\n\r\n");
    for (let i = 0; i < 200 && !answered() && !socket.destroyed; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    socket.destroy();
    return answer.split("\r\n")[0] ?? "";
  }

  it("a body over 64 KiB is refused (413), with a Content-Length or chunked", async () => {
    const big = text("a".repeat(1024 * 1024));
    expect(await rawPost(big, false)).toMatch(/^HTTP\/1\.1 413/);
    expect(await rawPost(big, true)).toMatch(/^HTTP\/1\.1 413/);
    expect((await post(text("small"))).status).toBe(200);
  });

  it("answers every kind of message as the class's app and wxdev serve do: other types get `i love him`", async () => {
    const { startServe } = await import("../helpers/wechat-servers.js");
    const serve = await startServe([], { WXDEV_TOKEN: TOKEN });
    /** What a server answers `args` with: the reply's Content, or the body when it is no XML reply. */
    const answer = async (target: string, args: string[]): Promise<string> => {
      const sent = await runMain(["simulate", ...args, "--json", "--url", target], { env: { WXDEV_TOKEN: TOKEN } });
      const json = JSON.parse(sent.stdout);
      return json.reply?.Content ?? json.raw;
    };
    const kinds = [
      ["image"],
      ["voice"],
      ["location"],
      ["link"],
      ["event", "CLICK", "--key", "V1"],
      ["event", "SCAN", "--key", "42"],
      ["event", "subscribe"],
      ["event", "unsubscribe"],
      ["event", "TEMPLATESENDJOBFINISH"],
    ];
    try {
      for (const args of kinds) {
        const ours = await answer(url(), args);
        expect(ours, args.join(" ")).toBe(await answer(serve.url, args));
      }
      expect(await answer(url(), ["image"])).toBe("i love him");
      expect(await answer(url(), ["event", "unsubscribe"])).toBe("success");
    } finally {
      await serve.close();
    }
  });

  it("its request log keeps no query string (the signature, timestamp and nonce stay out of app.log)", async () => {
    expect(output).toContain(`"POST /wechat${port} HTTP/1.1" 200`);
    expect(output).not.toMatch(/signature=|timestamp=|nonce=/);
  });

  it("without a Token in the environment it does not start, and says which variable to set", () => {
    const result = spawnSync(PYTHON, ["wechat.py"], {
      cwd: dir,
      env: { PATH: process.env.PATH ?? "" },
      encoding: "utf8",
      timeout: 15_000,
    });
    expect(result.status).toBe(1);
    expect(result.stderr).toContain("set WECHAT_TOKEN");
  });
});
