import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { signature } from "../../src/core/signature.js";
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

/** Runs the generated wechat.py; resolves once its port answers (or rejects with what it printed). */
async function startApp(dir: string, port: number, env: Record<string, string>): Promise<ChildProcess> {
  const child = spawn(PYTHON, ["wechat.py"], { cwd: dir, env: { PATH: process.env.PATH ?? "", ...env } });
  let output = "";
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
