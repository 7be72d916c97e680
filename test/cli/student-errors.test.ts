import { spawn, type ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { connect } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { listen, type Listening } from "../../src/core/support/listen.js";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { tempDirs } from "../helpers/temp.js";

/**
 * Each mistake seen in class, made by a real app (Flask + xmltodict under Debian's python3, or a bare
 * node:http server), and the one line the CLI (main, in process) prints about it.
 */
const TOKEN = "classtoken2024";
const APP = fileURLToPath(new URL("../fixtures/student-mistakes.py", import.meta.url));
const temp = tempDirs();
let flask: ChildProcess;
let origin = "";

async function waitForPort(port: number): Promise<void> {
  for (let tries = 0; tries < 100; tries++) {
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(port, "127.0.0.1", () => resolve(socket.end() !== undefined));
      socket.on("error", () => resolve(false));
    });
    if (open) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`the Flask app did not listen on ${port}`);
}

beforeAll(async () => {
  const port = await freePort();
  flask = spawn("/usr/bin/python3", [APP, String(port), TOKEN], { stdio: "ignore" });
  await waitForPort(port);
  origin = `http://127.0.0.1:${port}`;
});
afterAll(() => flask?.kill());

/** A project folder whose wxdev.config.json holds `config` (raw text when a string). */
function project(config: unknown): string {
  const dir = temp("wxdev-student-");
  const text = typeof config === "string" ? config : JSON.stringify(config, null, 2);
  writeFileSync(join(dir, "wxdev.config.json"), text);
  return dir;
}

const lines = (text: string): string[] => text.split("\n").filter((line) => line.trim() !== "");

describe("a wxdev.config.json with a JSON syntax error", () => {
  // A trailing comma on line 4, column 3 is where JSON.parse gives up: at the closing brace.
  const broken = `{\n  "token": "${TOKEN}",\n  "url": "http://127.0.0.1:9/wechat8013",\n}\n`;

  it("commands that need the file fail with exit 2 and one line naming line, column and the fix", async () => {
    const result = await runMain(["check"], { cwd: project(broken) });
    expect(result.code).toBe(2);
    expect(lines(result.stderr).at(-1)).toMatch(
      /^wxdev: \/.*wxdev\.config\.json is not valid JSON: line 4, column 1: expected double-quoted property name \(after "url"\) — fix the JSON: .*no comma after the last item$/,
    );
    expect(result.stderr).not.toMatch(/position|\n\s+at /);
    expect(result.stderr).not.toContain(TOKEN);
  });

  it("sign --token, demo and --help are not blocked by it: a warning at most", async () => {
    const dir = project(broken);
    const sign = await runMain(["sign", "--token", "t", "--timestamp", "1", "--nonce", "2"], { cwd: dir });
    expect(sign.code).toBe(0);
    expect(sign.stdout).toMatch(/^signature\s+[0-9a-f]{40}$/m);
    expect(lines(sign.stderr)).toEqual([expect.stringMatching(/^wxdev: warning: .* line 4, column 1: .*going on/)]);
    const help = await runMain(["--help"], { cwd: dir });
    expect([help.code, help.stderr]).toEqual([0, ""]);
    const demo = await runMain(["demo"], { cwd: dir });
    expect(demo.code).toBe(0);
    expect(demo.stdout).toMatch(/demo complete/);
  });
});

describe("replies WeChat cannot read", () => {
  it.each([
    ["json", "JSON"],
    ["dict", "a Python dict"],
  ])("/%s: the server answered %s; WeChat needs XML", async (path, what) => {
    const result = await runMain(["simulate", "text", "hi", "--url", `${origin}/${path}`, "--token", TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(`error the server answered ${what}; WeChat needs XML (e.g. xmltodict.unparse(`);
    expect(result.stdout).not.toMatch(/malformed|char '\{'/);
  });

  it("HTTP 500: the app raised an exception, its traceback is where it runs", async () => {
    const result = await runMain(["simulate", "text", "hi", "--url", `${origin}/crash`, "--token", TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      "error HTTP 500: the app raised an exception handling it: the traceback is in its log" +
        " (the terminal running it, e.g. python3 wechat.py)",
    );
  });

  it("HTTP 500 at a configured server's URL: wxdev logs <server>", async () => {
    const url = `${origin}/crash`;
    const dir = project({
      token: TOKEN,
      url,
      servers: { s8013: { host: "class.example", username: "s8013", remoteDir: "~/app", checkUrl: url } },
    });
    const result = await runMain(["simulate", "text", "hi"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("the traceback is in its log (wxdev logs s8013)");
  });

  it("HTTP 500 at the local url of a project whose server is this machine too: the app's terminal, not wxdev logs", async () => {
    // As wxdev init writes it, with the class's host stood in by loopback: the app's own port is this machine's.
    const dir = project({
      token: TOKEN,
      url: `${origin}/crash`,
      servers: {
        s8013: { host: "127.0.0.1", username: "s8013", remoteDir: "~/app", checkUrl: "http://127.0.0.1/crash" },
      },
    });
    const result = await runMain(["simulate", "text", "hi"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("the traceback is in its log (the terminal running it, e.g. python3 wechat.py)");
    expect(result.stdout).not.toContain("wxdev logs");
  });

  it("port 80 refused (nginx down): the hint is about the web server, not starting wechat.py", async (context) => {
    const host = "127.3.4.5";
    const open = await new Promise<boolean>((resolve) => {
      const socket = connect(80, host, () => resolve(socket.end() !== undefined));
      socket.on("error", () => resolve(false));
    });
    if (open) context.skip(); // something listens on every address's port 80 here: no refusal to see
    const result = await runMain(["handshake", "--url", `http://${host}/wechat8013`, "--token", TOKEN]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `nothing listens on ${host}:80 (connection refused): the web server in front of the app (nginx) is not` +
        " running there: start it here",
    );
    expect(result.stdout).not.toContain("python3 wechat.py");
  });

  it("a reply without MsgType is never shown as undefined", async () => {
    const url = `${origin}/no-msgtype`;
    const simulate = await runMain(["simulate", "text", "hi", "--url", url, "--token", TOKEN]);
    expect(simulate.stdout).toMatch(/← \S+ reply without MsgType \(HTTP 200/);
    expect(simulate.stdout).toContain("error missing MsgType");
    const check = await runMain(["check", "--url", url, "--token", TOKEN]);
    expect(check.code).toBe(1);
    expect(check.stdout).toMatch(/FAIL {2}text message gets a valid reply\s+missing MsgType$/m);
    for (const output of [simulate.stdout, check.stdout, simulate.stderr, check.stderr])
      expect(output).not.toContain("undefined");
  });
});

describe("a Token mismatch (403) names the Token used and where it came from", () => {
  const wrong = "studenttoken99";
  const masked = "st********99 (14 chars)";

  it.each<[string, string[], Record<string, string>, (dir: string) => string]>([
    ["--token", ["--token", wrong], {}, () => "--token"],
    ["WXDEV_TOKEN", [], { WXDEV_TOKEN: wrong }, () => "WXDEV_TOKEN"],
    ["the config file", [], {}, (dir) => join(dir, "wxdev.config.json")],
  ])("from %s", async (_name, flags, env, source) => {
    const dir = project({ token: wrong });
    const result = await runMain(["simulate", "text", "hi", "--url", `${origin}/ok`, ...flags], { cwd: dir, env });
    expect(result.code).toBe(1);
    expect(result.stdout).toMatch(
      new RegExp(
        `HTTP 403: the server rejected the signature\\. wxdev signed with Token ${masked.replace(/[*()]/g, "\\$&")}` +
          ` from ${source(dir).replace(/[.]/g, "\\.")}: signature=[0-9a-f]{40}; if your server computed another,` +
          " the Tokens differ",
      ),
    );
    expect(result.stdout + result.stderr).not.toContain(wrong);
    const handshake = await runMain(["handshake", "--url", `${origin}/ok`, ...flags], { cwd: dir, env });
    expect(handshake.code).toBe(1);
    expect(handshake.stdout).toContain(`wxdev signed with Token ${masked} from ${source(dir)}: signature=`);
  });
});

describe("check with the wrong Token: one failure naming it, then it stops", () => {
  it("the handshake's 403 names the Token and its source; the other checks are not run; exit 1", async () => {
    const result = await runMain(["check", "--url", `${origin}/ok`], { env: { WXDEV_TOKEN: "studenttoken99" } });
    expect(result.code).toBe(1);
    const rows = lines(result.stdout).filter((line) => /^\s+(pass|FAIL|warn|skip)\s/.test(line));
    expect(rows).toEqual([
      expect.stringMatching(
        /FAIL\s+URL validation answers echostr exactly\s+HTTP 403: .*st\*{8}99 \(14 chars\) from WXDEV_TOKEN/,
      ),
    ]);
    expect(result.stdout).toMatch(
      /the other \d+ checks were not run: the server refuses wxdev's signature, .*make the Tokens match/,
    );
  });
});

describe("check against a server that does not answer: one failure, then it stops", () => {
  let silent: Listening;
  beforeAll(async () => {
    silent = await listen(
      createServer(() => {}), // accepts, never answers
      0,
      "127.0.0.1",
    );
  });
  afterAll(() => silent.close());

  const checkRows = (stdout: string): string[] =>
    lines(stdout).filter((line) => /^\s+(pass|FAIL|warn|skip)\s/.test(line));

  it("nothing listens: says so, names host:port and how to start the app; exit 1", async () => {
    const port = await freePort();
    const result = await runMain(["check", "--url", `http://127.0.0.1:${port}/wechat8013`, "--token", TOKEN]);
    expect(result.code).toBe(1);
    expect(checkRows(result.stdout)).toEqual([
      expect.stringContaining(
        `nothing listens on 127.0.0.1:${port} (connection refused): is the app running? Start it: python3 wechat.py`,
      ),
    ]);
    expect(result.stdout).toMatch(/the other \d+ checks were not run: nothing answered/);
    expect(result.stdout).not.toMatch(/malformed/);
  });

  it("nothing listens at a configured server's URL: wxdev start <server>", async () => {
    const url = `http://127.0.0.1:${await freePort()}/wechat8013`;
    const dir = project({
      token: TOKEN,
      url,
      servers: { s8013: { host: "127.0.0.1", username: "s8013", remoteDir: "~/app", checkUrl: url } },
    });
    const result = await runMain(["check"], { cwd: dir });
    expect(result.code).toBe(1);
    expect(checkRows(result.stdout)).toEqual([
      expect.stringContaining("is the app running? Start it: wxdev start s8013"),
    ]);
  });

  it("an unknown host (DNS) and a server that never answers stop alike", async () => {
    const dns = await runMain(["check", "--url", "http://no-such-host.invalid/wechat8013", "--token", TOKEN]);
    expect(dns.code).toBe(1);
    expect(checkRows(dns.stdout)).toEqual([
      expect.stringContaining("host no-such-host.invalid not found (DNS): check the host in the URL"),
    ]);
    const url = `${silent.origin}/wechat8013`;
    const slow = await runMain(["check", "--url", url, "--token", TOKEN, "--timeout", "0.5"]);
    expect(slow.code).toBe(1);
    expect(checkRows(slow.stdout)).toEqual([expect.stringContaining("no answer within 500 ms")]);
  });

  it("https:// with nothing on the port names it, and the scheme", async () => {
    const port = await freePort();
    const result = await runMain(["simulate", "text", "hi", "--url", `https://127.0.0.1:${port}/w`, "--token", "t"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain(
      `nothing listens on 127.0.0.1:${port} (https, connection refused): is the scheme right? http:// is port 80`,
    );
  });

  const port443Free = () =>
    new Promise<boolean>((resolve) => {
      const socket = connect(443, "127.0.0.1", () => resolve(!socket.end()));
      socket.on("error", () => resolve(true));
    });

  it("https:// without a port names 443", async (context) => {
    if (!(await port443Free())) context.skip(); // something on this machine serves 443
    const result = await runMain(["check", "--url", "https://127.0.0.1/wechat8013", "--token", "t"]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("nothing listens on 127.0.0.1:443 (https, connection refused)");
  });
});

describe("check's table against a correct app reads as sentences", () => {
  it("the bad-signature rows say what came back, not `is refused refused`", async () => {
    const result = await runMain(["check", "--url", `${origin}/ok`, "--token", TOKEN]);
    expect(result.stdout).toMatch(/pass {2}URL validation with a bad signature is refused\s+HTTP 403, no echostr$/m);
    expect(result.stdout).toMatch(/pass {2}a message with a bad signature is refused\s+HTTP 403$/m);
    expect(result.stdout).not.toMatch(/refused\s+refused/);
    expect(result.code).toBe(0);
  });
});

describe("a mistyped message type or chat command", () => {
  it("simulate texts hi: unknown message type texts (did you mean text?), the list with event", async () => {
    const result = await runMain(["simulate", "texts", "hi", "--url", `${origin}/ok`, "--token", TOKEN]);
    expect(result.code).toBe(2);
    expect(lines(result.stderr)).toEqual([
      "wxdev: unknown message type texts (did you mean text?) —" +
        " use one of: text, image, voice, video, shortvideo, location, link, event",
    ]);
  });

  it("chat: /foo is an unknown command, /help lists /video, and /video works", async () => {
    const result = await runMain(["chat", "--url", `${origin}/ok`, "--token", TOKEN], {
      input: "/foo\n/help\n/video\n/quit\n",
    });
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("unknown command /foo (type /help)");
    // The prompt (you> ) precedes each answer when stdin is not a terminal.
    const help = lines(result.stdout).filter((line) => /^(you> )?type a message, or /.test(line));
    expect(help).toHaveLength(1);
    expect(help[0]).toMatch(
      /\/image, \/voice, \/video, \/shortvideo, \/location, \/link, \/event <name> \[key\], \/mode plain\|compat\|safe, \/help, \/quit, \/exit$/,
    );
    expect(result.stdout).toMatch(/→ \S+ video: /);
    expect(result.stdout).toMatch(/← \S+ text: "got it"/);
  });
});
