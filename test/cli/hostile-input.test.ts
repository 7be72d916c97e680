import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { CliResult } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { KEY } from "../helpers/fixtures.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const DEEP = `<xml>${"<a>".repeat(100_000)}x${"</a>".repeat(100_000)}</xml>`;
const PROTO = "<xml><ToUserName>gh_1</ToUserName><__proto__><MsgType>text</MsgType></__proto__></xml>";

function project(files: Record<string, string>): string {
  const dir = temp("wxdev-hostile-");
  for (const [name, text] of Object.entries(files)) writeFileSync(join(dir, name), text);
  return dir;
}

/** Bad input: exit 2, one line on stderr, nothing on stdout, no stack trace. */
function expectBadInput(result: CliResult, pattern: RegExp): void {
  expect(result.stderr).toMatch(pattern);
  expect(result.code).toBe(2);
  expect(result.stdout).toBe("");
  expect(result.stderr.trim().split("\n")).toHaveLength(1);
  expect(result.stderr).not.toMatch(/unexpected error|\n\s+at /);
}

describe("hostile XML is bad input in every command that reads XML", () => {
  const dir = project({ "deep.xml": DEEP, "proto.xml": PROTO });
  const env = { WXDEV_TOKEN: "t", WXDEV_AES_KEY: KEY };
  const signed = "signature=0&timestamp=1&nonce=2&encrypt_type=aes&msg_signature=0";

  it.each([
    ["deep.xml", /nests elements more than 100 levels deep/],
    ["proto.xml", /<__proto__>.*refuses/],
  ])("%s: decrypt -, verify --body, simulate --file", async (file, pattern) => {
    const input = file === "deep.xml" ? DEEP : PROTO;
    // main() reads files relative to the process's folder, not io.cwd: give the path in full.
    const path = join(dir, file);
    expectBadInput(await runMain(["decrypt", "-"], { env, input, cwd: dir }), pattern);
    expectBadInput(await runMain(["verify", signed, "--body", path], { env, cwd: dir }), pattern);
    // Port 9 (discard) is never contacted: the file is refused before anything is sent.
    expectBadInput(
      await runMain(["simulate", "--file", path, "--url", "http://127.0.0.1:9/wechat"], {
        env: { WXDEV_TOKEN: "t" },
        cwd: dir,
      }),
      pattern,
    );
    expectBadInput(
      await runMain(["simulate", "--file", path, "--url", "http://127.0.0.1:9/wechat", "--count", "2"], {
        env: { WXDEV_TOKEN: "t" },
        cwd: dir,
      }),
      pattern,
    );
  });
});

describe("names are looked up as own keys only", () => {
  const config = JSON.stringify({
    servers: { s8013: { host: "127.0.0.1", username: "s8013", remoteDir: "~/app", appPort: 8013 } },
  });

  it.each(["toString", "constructor", "__proto__", "hasOwnProperty"])(
    "deploy / nginx %s: unknown server, exit 2",
    async (name) => {
      const dir = project({ "wxdev.config.json": config });
      for (const command of ["deploy", "nginx"]) {
        const result = await runMain([command, name], { cwd: dir, env: { WXDEV_SSH_PASSWORD: "x" } });
        expectBadInput(result, new RegExp(`unknown server "${name}".*known servers: s8013`));
        expect(result.stderr).not.toContain("undefined");
      }
    },
  );

  it("simulate toString: an unknown message type, exit 2", async () => {
    expectBadInput(
      await runMain(["simulate", "toString", "--url", "http://127.0.0.1:9/wechat"], { env: { WXDEV_TOKEN: "t" } }),
      /unknown message type toString/,
    );
  });
});

describe("config files", () => {
  it("a file saved with a UTF-8 byte-order mark is read", async () => {
    const dir = project({ "wxdev.config.json": `\uFEFF${JSON.stringify({ token: "bomtoken" })}` });
    const result = await runMain(["sign", "--json", "--timestamp", "1", "--nonce", "2"], { cwd: dir });
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    const viaFlag = await runMain(["sign", "--json", "--timestamp", "1", "--nonce", "2", "--token", "bomtoken"]);
    expect(JSON.parse(result.stdout).signature).toBe(JSON.parse(viaFlag.stdout).signature);
  });
});
