import { writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { vectors } from "../helpers/vectors.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const [vector] = vectors.signature;
const { token, timestamp, nonce, signature } = vector!;

describe("wxdev sign", () => {
  it("prints the signature and a ready query string", async () => {
    const result = await runMain([
      "sign",
      "--token",
      token,
      "--timestamp",
      timestamp,
      "--nonce",
      nonce,
      "--echostr",
      "hello",
    ]);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(signature);
    expect(result.stdout).toContain(
      `query      signature=${signature}&timestamp=${timestamp}&nonce=${nonce}&echostr=hello`,
    );
    expect(result.stderr).toBe("");
  });

  it("--json prints exactly one object, with msgSignature when --encrypt is given", async () => {
    const [msg] = vectors.msgSignature;
    const result = await runMain([
      "sign",
      "--json",
      "--token",
      msg!.token,
      "--timestamp",
      msg!.timestamp,
      "--nonce",
      msg!.nonce,
      "--encrypt",
      msg!.encrypt,
    ]);
    expect(result.code).toBe(0);
    const json = JSON.parse(result.stdout);
    expect(Object.keys(json).sort()).toEqual(["msgSignature", "nonce", "query", "signature", "timestamp"]);
    expect(json.msgSignature).toBe(msg!.msgSignature);
    expect(json.query).toContain(`encrypt_type=aes&msg_signature=${msg!.msgSignature}`);
  });

  it("defaults to now and a random nonce, with the token from WXDEV_TOKEN", async () => {
    const before = Math.floor(Date.now() / 1000);
    const result = await runMain(["sign", "--json"], { env: { WXDEV_TOKEN: "secret-token" } });
    const json = JSON.parse(result.stdout);
    expect(Number(json.timestamp)).toBeGreaterThanOrEqual(before);
    expect(json.timestamp).toMatch(/^\d{10}$/);
    expect(json.nonce).toMatch(/^\d+$/);
    expect(result.stdout).not.toContain("secret-token");
  });

  it("reads the token from wxdev.config.json, and the flag wins over env", async () => {
    const dir = temp("wxdev-cli-");
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ token }));
    const fromFile = await runMain(["sign", "--json", "--timestamp", timestamp, "--nonce", nonce], { cwd: dir });
    expect(JSON.parse(fromFile.stdout).signature).toBe(signature);
    const fromFlag = await runMain(["sign", "--json", "--token", token, "--timestamp", timestamp, "--nonce", nonce], {
      env: { WXDEV_TOKEN: "other" },
    });
    expect(JSON.parse(fromFlag.stdout).signature).toBe(signature);
  });

  it("without a token: exit 2 and one line naming every way to set it", async () => {
    const result = await runMain(["sign"], { cwd: tmpdir() });
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/missing token.*--token.*WXDEV_TOKEN.*wxdev\.config\.json/);
  });
});

describe("wxdev verify", () => {
  const query = `signature=${signature}&timestamp=${timestamp}&nonce=${nonce}`;

  it.each([
    ["a full callback URL", [`http://127.0.0.1:8013/wechat8013?${query}&openid=o1`]],
    ["a query string", [query]],
    ["flags", ["--signature", signature, "--timestamp", timestamp, "--nonce", nonce]],
  ])("accepts %s: exit 0 and valid", async (_name, args) => {
    const result = await runMain(["verify", "--token", token, ...args]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^valid\s+signature/);
  });

  it("exit 1 with expected vs received for a wrong token", async () => {
    const result = await runMain(["verify", "--token", "wrong", query]);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("invalid");
    expect(result.stdout).toMatch(/expected\s+[0-9a-f]{40}/);
    expect(result.stdout).toContain(`received  ${signature}`);
  });

  it("checks msg_signature too when given the Encrypt field or the body", async () => {
    const [v] = vectors.decrypt;
    const url =
      `http://h/wechat?signature=x&timestamp=${v!.timestamp}&nonce=${v!.nonce}&encrypt_type=aes&` +
      `msg_signature=${v!.msgSignature}`;
    const viaFlag = await runMain(["verify", "--json", "--token", v!.token, url, "--encrypt", v!.encrypt]);
    const json = JSON.parse(viaFlag.stdout);
    expect(json.checks.map((c: { name: string; valid: boolean }) => [c.name, c.valid])).toEqual([
      ["signature", false],
      ["msg_signature", true],
    ]);
    expect(viaFlag.code).toBe(1);
    const body = `<xml><ToUserName><![CDATA[gh_1]]></ToUserName><Encrypt><![CDATA[${v!.encrypt}]]></Encrypt></xml>`;
    const signArgs = ["sign", "--json", "--token", v!.token, "--timestamp", v!.timestamp, "--nonce", v!.nonce];
    const signed = await runMain(signArgs);
    const signatureOk = url.replace("signature=x", `signature=${signed.stdout.match(/"signature": "(\w+)"/)![1]}`);
    const viaBody = await runMain(["verify", "--token", v!.token, signatureOk, "--body", "-"], { input: body });
    expect(viaBody.code).toBe(0);
    expect(viaBody.stdout).toContain("valid  msg_signature");
  });

  it("exit 2 when the pieces are missing", async () => {
    const result = await runMain(["verify", "--token", token, "timestamp=1"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/need signature, timestamp and nonce/);
  });
});
