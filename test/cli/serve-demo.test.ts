import { execFileSync, spawnSync } from "node:child_process";
import { describe, expect, it } from "vitest";
import { makeTimestamp, signature } from "../../src/core/wire/signature.js";
import { BIN } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { startServe } from "../helpers/wechat-servers.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const TOKEN = "servetoken";

describe("wxdev serve (spawned)", () => {
  it("answers GET/POST, logs one line per exchange, masks the token and stops cleanly on SIGTERM", async () => {
    const serve = await startServe(["--fallback", "hello from fallback"], { WXDEV_TOKEN: TOKEN });
    try {
      const timestamp = makeTimestamp();
      const q = `signature=${signature(TOKEN, timestamp, "7")}&timestamp=${timestamp}&nonce=7`;
      const get = await fetch(`${serve.url}?${q}&echostr=E1`);
      expect(await get.text()).toBe("E1");
      const post = await fetch(`${serve.url}?${q}&openid=o1`, {
        method: "POST",
        headers: { "Content-Type": "text/xml" },
        body:
          "<xml><ToUserName>gh_1</ToUserName><FromUserName>o1</FromUserName><CreateTime>1700000000" +
          "</CreateTime><MsgType>image</MsgType><PicUrl>p</PicUrl><MediaId>m</MediaId><MsgId>5" +
          "</MsgId></xml>",
      });
      expect(await post.text()).toContain("<Content><![CDATA[hello from fallback]]></Content>");
      expect((await fetch(`${serve.url}?signature=bad&timestamp=1&nonce=2`)).status).toBe(403);
      const exit = new Promise<number | null>((resolve) => serve.child.once("exit", (code) => resolve(code)));
      serve.child.kill("SIGTERM");
      expect(await exit).toBe(0);
    } finally {
      await serve.close(); // a no-op once it stopped on its own
    }
    const output = serve.output();
    expect(output).toMatch(
      /listening on http:\/\/127\.0\.0\.1:\d+\/wechat8013 \(plain mode, token se\*+en \(10 chars\)\)/,
    );
    expect(output).not.toContain(TOKEN);
    expect(output).toMatch(/200 handshake/);
    expect(output).toMatch(/200 image/);
    expect(output).toMatch(/403 GET \/wechat\d+ invalid signature/);
    expect(output).toContain("stopped");
  });

  it("--json logs one JSON object per line", async () => {
    const serve = await startServe(["--json"], { WXDEV_TOKEN: TOKEN });
    try {
      await fetch(`${serve.url}?signature=${signature(TOKEN, "1", "2")}&timestamp=1&nonce=2&echostr=x`);
    } finally {
      await serve.close();
    }
    const lines = serve
      .output()
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line));
    expect(lines[0]).toHaveProperty("listening");
    expect(lines[1]).toMatchObject({ status: 200, kind: "handshake" });
  });

  it("without a token, or on a busy port: exit 2 with one line", async () => {
    expect((await runMain(["serve"])).stderr).toMatch(/missing token/);
    const serve = await startServe([], { WXDEV_TOKEN: TOKEN });
    let busy: Awaited<ReturnType<typeof runMain>>;
    try {
      busy = await runMain(["serve", "--port", new URL(serve.url).port], { env: { WXDEV_TOKEN: TOKEN } });
    } finally {
      await serve.close();
    }
    expect(busy.code).toBe(2);
    expect(busy.stderr).toMatch(/port \d+ is already in use/);
  });

  it.each([
    ["a path without its slash", ["--path", "wechat"], /does not start with \/.*--path \/wechat/],
    [
      "an address this machine does not have",
      ["--host", "192.0.2.1", "--port", "0"],
      /cannot listen on 192\.0\.2\.1: it is not an address of this machine/,
    ],
  ])("%s: exit 2 with one line", async (_what, args, pattern) => {
    const result = await runMain(["serve", ...args], { env: { WXDEV_TOKEN: TOKEN } });
    expect(result.code).toBe(2);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(pattern);
  });
});

describe("wxdev chat with piped input", () => {
  it("a bad command ends that line, not the chat; --json prints one object a message", async () => {
    const serve = await startServe([], { WXDEV_TOKEN: TOKEN });
    try {
      const result = await runMain(["chat", "--url", serve.url, "--json"], {
        env: { WXDEV_TOKEN: TOKEN },
        input: "/event nope\nstill here\n/quit\n",
      });
      expect(result.code).toBe(0);
      expect(result.stderr).toMatch(/unknown event nope/);
      const lines = result.stdout
        .trim()
        .split("\n")
        .map((line) => JSON.parse(line));
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ ok: true, reply: { Content: "still here" } });
    } finally {
      await serve.close();
    }
  });
});

describe("wxdev demo", () => {
  it("runs the whole loop on loopback and exits 0, from any directory, with nothing configured", async () => {
    const result = await runMain(["demo"], { cwd: temp("wxdev-demo-") });
    expect(result.code).toBe(0);
    for (const step of ["validates the URL", "sends text", "sends a picture", "follows the account", "safe mode"])
      expect(result.stdout).toContain(step);
    expect(result.stdout).toContain("demo complete");
    expect(result.stdout.match(/WeChat would accept this answer/g)).toHaveLength(4);
  });

  it("--json reports every step", async () => {
    const result = await runMain(["demo", "--json"]);
    const out = JSON.parse(result.stdout);
    expect(out.ok).toBe(true);
    expect(out.steps.map((step: { ok: boolean }) => step.ok)).toEqual([true, true, true, true, true]);
    expect(out.steps[4].request.query).toHaveProperty("msg_signature");
  });
});

const hasTmux = spawnSync("tmux", ["-V"]).status === 0;

describe.skipIf(!hasTmux && !process.env.CI)("wxdev chat under a real terminal (tmux)", () => {
  it("sends each typed line and prints the reply; /event and /quit work", async () => {
    const serve = await startServe([], { WXDEV_TOKEN: TOKEN });
    const session = `wxdev-chat-${process.pid}`;
    const tmux = (...args: string[]): string => execFileSync("tmux", args, { encoding: "utf8" });
    const screen = (): string => tmux("capture-pane", "-p", "-t", session, "-S", "-50");
    const waitFor = async (pattern: RegExp): Promise<string> => {
      for (let i = 0; i < 100; i++) {
        const text = screen();
        if (pattern.test(text)) return text;
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      throw new Error(`screen never matched ${pattern}:\n${screen()}`);
    };
    try {
      tmux(
        "new-session",
        "-d",
        "-s",
        session,
        "-x",
        "160",
        "-y",
        "50",
        `env NO_COLOR=1 WXDEV_TOKEN=${TOKEN} ${process.execPath} ${BIN} chat --url ${serve.url}; sleep 5`,
      );
      await waitFor(/you>/);
      tmux("send-keys", "-t", session, "你好 tmux", "Enter");
      await waitFor(/← .*text: "你好 tmux"/);
      tmux("send-keys", "-t", session, "/event subscribe", "Enter");
      await waitFor(/Welcome!/);
      tmux("send-keys", "-t", session, "/quit", "Enter");
      await waitFor(/bye/);
    } finally {
      spawnSync("tmux", ["kill-session", "-t", session]);
      await serve.close();
    }
  });
});
