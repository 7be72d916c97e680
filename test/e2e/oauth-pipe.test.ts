import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, type CliResult, cleanEnv, runCli } from "../helpers/cli.js";
import { startMock } from "../helpers/processes.js";
import { tempDirs } from "../helpers/temp.js";

/** oauth exchange's tokens, shown whole on request, and piped into the next step, against a real `wxdev mock`. */
const env = { WXDEV_APP_ID: "wxpipetest", WXDEV_APP_SECRET: "pipesecret" };
const temp = tempDirs();
let mock: Awaited<ReturnType<typeof startMock>>;

beforeAll(async () => {
  mock = await startMock([], env);
});
afterAll(() => mock?.stop());

/** A fresh code from the mock's authorize page: consent given for snsapi_userinfo, by user 0 (张三). */
async function freshCode(): Promise<string> {
  const url = (
    await runCli(
      [
        "oauth-url",
        "--redirect-uri",
        "http://127.0.0.1:8013/index",
        "--scope",
        "snsapi_userinfo",
        "--base",
        mock.origin,
      ],
      { env },
    )
  ).stdout.trim();
  const page = await (await fetch(url)).text();
  const form = new URLSearchParams(
    [...page.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m): [string, string] => [
      m[1] ?? "",
      (m[2] ?? "").replace(/&amp;/g, "&"),
    ]),
  );
  form.set("decision", "allow");
  form.set("user", "0");
  const confirmed = await fetch(`${mock.origin}/connect/oauth2/authorize/confirm`, {
    method: "POST",
    body: form,
    redirect: "manual",
  });
  return new URL(confirmed.headers.get("location") ?? "").searchParams.get("code") ?? "";
}

/** Runs a shell pipeline of wxdev commands (`wxdev` stands for the built CLI), as a student types it. */
function shell(line: string): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const wxdev = `"${process.execPath}" "${BIN}"`;
    const child = spawn("/bin/sh", ["-c", line.replaceAll("wxdev", wxdev)], { env: cleanEnv(env) });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    child.on("error", reject);
    child.on("close", (code) => resolve({ code, stdout, stderr }));
  });
}

const api = () => ["--api-base", mock.origin];

describe("oauth exchange shows the tokens the next step needs", () => {
  it("masked by default, with a hint naming --show-tokens and --json", async () => {
    const result = await runCli(["oauth", "exchange", "--code", await freshCode(), ...api()], { env });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^access_token\s+\S{2}\*+\S{2} \(\d+ chars\)$/m);
    expect(result.stderr.trim()).toBe("full tokens: --show-tokens, or --json (keep them private)");
  });

  it("--show-tokens prints them whole: the printed access_token works for oauth check", async () => {
    const result = await runCli(["oauth", "exchange", "--code", await freshCode(), "--show-tokens", ...api()], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe("");
    const field = (name: string): string => new RegExp(`^${name}\\s+(\\S+)$`, "m").exec(result.stdout)?.[1] ?? "";
    expect(field("access_token")).not.toMatch(/\*/);
    const check = await runCli(
      ["oauth", "check", "--access-token", field("access_token"), "--openid", field("openid"), ...api()],
      { env },
    );
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/errmsg\s+ok/);
  });

  it("--help documents --show-tokens and the pipe", async () => {
    const result = await runCli(["oauth", "exchange", "--help"]);
    expect(result.stdout).toMatch(/--show-tokens\s+print the tokens whole/);
    expect(result.stdout).toContain("wxdev oauth exchange --code C --json | wxdev oauth userinfo --from -");
    expect((await runCli(["oauth", "userinfo", "--help"])).stdout).toMatch(/--from <file>\s+take access_token/);
  });
});

describe("oauth userinfo --from: the exchange's JSON from stdin or a file", () => {
  it("wxdev oauth exchange --code C --json | wxdev oauth userinfo --from -", async () => {
    const code = await freshCode();
    const base = mock.origin;
    const result = await shell(
      `wxdev oauth exchange --code ${code} --api-base ${base} --json | wxdev oauth userinfo --from - --api-base ${base}`,
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^nickname\s+张三$/m);
  });

  it("--from FILE, and flags override what the file says", async () => {
    const exchanged = await runCli(["oauth", "exchange", "--code", await freshCode(), "--json", ...api()], { env });
    const file = join(temp("wxdev-oauth-"), "token.json");
    writeFileSync(file, exchanged.stdout);
    const info = await runCli(["oauth", "userinfo", "--from", file, "--json", ...api()], { env });
    expect(info.code).toBe(0);
    expect(JSON.parse(info.stdout).openid).toBe(JSON.parse(exchanged.stdout).openid);
    const overridden = await runCli(["oauth", "check", "--from", file, "--access-token", "not-the-token", ...api()], {
      env,
    });
    expect(overridden.code).toBe(1);
    expect(overridden.stderr).toMatch(/^wxdev: .*errcode 40001/);
  });

  it("a failed exchange before the pipe, or no token at all, is one line and exit 2", async () => {
    const base = mock.origin;
    const empty = await shell(`wxdev oauth userinfo --from - --api-base ${base} < /dev/null`);
    expect(empty.code).toBe(2);
    expect(empty.stderr.trim()).toBe(
      "wxdev: --from -: nothing on stdin (did the oauth exchange before the pipe fail?) —" +
        " e.g. wxdev oauth exchange --code C --json | wxdev oauth userinfo --from -",
    );
    const none = await runCli(["oauth", "userinfo", ...api()], { env });
    expect(none.code).toBe(2);
    expect(none.stderr.trim()).toBe(
      "wxdev: missing --access-token — pass --access-token, or --from FILE / --from - with oauth exchange's --json output",
    );
    const notJson = await shell(`echo 'access_token=abc' | wxdev oauth userinfo --from - --api-base ${base}`);
    expect(notJson.code).toBe(2);
    expect(notJson.stderr).toMatch(/^wxdev: --from - is not JSON \(line 1, column 1\)/);
  });
});
