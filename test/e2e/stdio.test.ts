import { spawn, spawnSync } from "node:child_process";
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { MessageCrypto } from "../../src/core/wire/crypto.js";
import { openReply } from "../../src/core/wire/envelope.js";
import { BIN, cleanEnv } from "../helpers/cli.js";
import { type Terminal, terminal, tmuxMissing } from "../helpers/tmux.js";

// The real run's stdout and stderr write text with writeSync until something needs the stream itself
// (src/cli/stdio.ts). These runs check what a user sees wherever the output goes: a file, a pipe,
// /dev/null, a terminal, a terminal left non-blocking and read late, and a pipe nobody empties.

const pythonMissing = (): boolean => spawnSync("python3", ["-V"]).status !== 0;

const KEYS = { WXDEV_TOKEN: "t", WXDEV_AES_KEY: "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG", WXDEV_APP_ID: "wx1" };
const UNSIGNED = "signature=0&timestamp=1&nonce=2";

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "wxdev-stdio-"));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Runs the binary with stdout and stderr each going to a file, and returns what the files hold. */
function toFiles(args: string[]): { status: number | null; stdout: string; stderr: string } {
  const [out, err] = [join(dir, "out"), join(dir, "err")];
  const fds = [openSync(out, "w"), openSync(err, "w")] as const;
  try {
    const { status } = spawnSync(process.execPath, [BIN, ...args], { env: cleanEnv(), stdio: ["ignore", ...fds] });
    return { status, stdout: readFileSync(out, "utf8"), stderr: readFileSync(err, "utf8") };
  } finally {
    for (const fd of fds) closeSync(fd);
  }
}

describe("the binary's stdout and stderr", () => {
  it("write the same text to a file as to a pipe, and the error line to stderr", () => {
    const piped = spawnSync(process.execPath, [BIN, "simulate", "--help"], { env: cleanEnv(), encoding: "utf8" });
    const filed = toFiles(["simulate", "--help"]);
    expect(filed).toEqual({ status: 0, stdout: piped.stdout, stderr: "" });
    expect(filed.stdout).toMatch(/^Usage: wxdev simulate /);
    expect(toFiles(["sign"])).toEqual({
      status: 2,
      stdout: "",
      stderr: 'wxdev: missing token — set it with --token, WXDEV_TOKEN or "token" in wxdev.config.json\n',
    });
  });

  it.skipIf(pythonMissing())(
    "a terminal another program left non-blocking, read late: 800 KB arrive whole (the stream takes over at EAGAIN)",
    () => {
      const input = `<xml><Content><![CDATA[${"x".repeat(600_000)}]]></Content></xml>`;
      writeFileSync(join(dir, "big.xml"), input);
      // Python holds the terminal's other end: raw (no CR added), non-blocking, nothing read for half a second.
      const parent = [
        "import os, pty, subprocess, sys, time, tty",
        "master, slave = pty.openpty()",
        "tty.setraw(slave)",
        "os.set_blocking(slave, False)",
        "child = subprocess.Popen(sys.argv[1:], stdin=open(os.environ['BIG']), stdout=slave)",
        "os.close(slave)",
        "time.sleep(0.5)",
        "out = bytearray()",
        "while True:",
        "    try:",
        "        chunk = os.read(master, 65536)",
        "    except OSError:",
        "        break",
        "    if not chunk:",
        "        break",
        "    out += chunk",
        "sys.stdout.buffer.write(bytes(out))",
        "sys.exit(child.wait())",
      ].join("\n");
      const result = spawnSync("python3", ["-c", parent, process.execPath, BIN, "encrypt", "-"], {
        env: cleanEnv({ ...KEYS, BIG: join(dir, "big.xml") }),
        encoding: "utf8",
        maxBuffer: 16 * 1024 * 1024,
      });
      expect({ status: result.status, stderr: result.stderr }).toEqual({ status: 0, stderr: "" });
      const crypto = new MessageCrypto({ token: KEYS.WXDEV_TOKEN, encodingAESKey: KEYS.WXDEV_AES_KEY, appId: "wx1" });
      expect(openReply(crypto, result.stdout.trim()).plaintext).toBe(input);
    },
  );

  it("serve keeps answering while its stdout is a pipe nobody empties (the log queues in the stream)", async () => {
    const child = spawn(process.execPath, [BIN, "serve", "--port", "0", "--token", "t"], {
      env: cleanEnv(),
      stdio: ["ignore", "pipe", "ignore"],
    });
    try {
      let head = "";
      const url = await new Promise<string>((resolve, reject) => {
        child.once("exit", () => reject(new Error(`serve exited: ${head}`)));
        child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
          head += chunk;
          const found = /listening on (http:\/\/\S+)/.exec(head);
          if (found?.[1] === undefined) return;
          child.stdout.removeAllListeners("data").pause(); // from here on nobody reads
          resolve(found[1]);
        });
      });
      // ~240-byte log lines: 1,200 of them are several times what a pipe and the reader's buffer hold.
      const origin = new URL(url).origin;
      for (let batch = 0; batch < 60; batch++) {
        const answers = await Promise.all(
          Array.from({ length: 20 }, (_, i) =>
            fetch(`${origin}/${"x".repeat(200)}${batch * 20 + i}`, { signal: AbortSignal.timeout(5_000) }),
          ),
        );
        expect(answers.map((answer) => answer.status)).toEqual(Array(20).fill(404));
      }
    } finally {
      child.kill("SIGKILL");
    }
  });

  describe.skipIf(tmuxMissing())("on a terminal (tmux)", () => {
    let term: Terminal;
    beforeAll(() => {
      term = terminal("wxdev-stdio");
    });
    afterAll(() => term?.kill());

    it("colour on (FORCE_COLOR unset), and --help wrapped to the terminal's width", async () => {
      const env = ["env", "-u", "NO_COLOR", "-u", "FORCE_COLOR", "TERM=xterm-256color"];
      const command = [...env, process.execPath, BIN, "verify", "--token", "x", `'${UNSIGNED}'`, ";", "sleep", "30"];
      term.tmux("new-session", "-d", "-s", "colour", "-x", "100", "-y", "30", command.join(" "));
      await term.waitFor("colour", /signature/);
      expect(term.tmux("capture-pane", "-p", "-e", "-t", "colour")).toContain("\u001b[");

      const help = [...env, process.execPath, BIN, "encrypt", "--help", ";", "sleep", "30"];
      term.tmux("new-session", "-d", "-s", "narrow", "-x", "70", "-y", "60", help.join(" "));
      await term.waitFor("narrow", /Examples:/);
      // Wrapped by commander at 70 columns, not at 80 and again by the terminal (lines joined).
      const screen = term.screen("narrow");
      const options = screen.slice(screen.indexOf("Options:"), screen.indexOf("Examples:")).split("\n");
      expect(Math.max(...options.map((line) => line.length))).toBeLessThanOrEqual(70);
      expect(screen).toMatch(/--token <token> +the Token \(better: WXDEV_TOKEN or\n/);
    });
  });
});
