import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { startMock } from "../helpers/processes.js";

const env = { WXDEV_APP_ID: "wxclitest", WXDEV_APP_SECRET: "clisecret" };
let mock: Awaited<ReturnType<typeof startMock>>;
let base = "";

beforeAll(async () => {
  mock = await startMock([], env);
  base = mock.origin;
});
afterAll(() => mock?.stop());

async function freshCode(scope = "snsapi_base"): Promise<string> {
  const url = (
    await runMain(["oauth-url", "--redirect-uri", "http://127.0.0.1:8013/index", "--scope", scope, "--base", base], {
      env,
    })
  ).stdout.trim();
  const response = await fetch(url, { redirect: "manual" });
  return new URL(response.headers.get("location")!).searchParams.get("code")!;
}

describe("wxdev oauth-url", () => {
  it("prints the URL; --json adds the warnings", async () => {
    const plain = await runMain([
      "oauth-url",
      "--app-id",
      "appid",
      "--redirect-uri",
      "http://diveintonode.org/",
      "--scope",
      "snsapi_userinfo",
      "--state",
      "hehe",
    ]);
    expect(plain).toMatchObject({ code: 0, stderr: "" });
    expect(plain.stdout).toBe(
      "https://open.weixin.qq.com/connect/oauth2/authorize?appid=appid&" +
        "redirect_uri=http%3A%2F%2Fdiveintonode.org%2F&response_type=code&scope=snsapi_userinfo&" +
        "state=hehe#wechat_redirect\n",
    );
    const json = await runMain(
      ["oauth-url", "--json", "--redirect-uri", "http://x.com/#/me", "--callback-domain", "y.com"],
      { env },
    );
    const out = JSON.parse(json.stdout);
    expect(out.url).toContain("appid=wxclitest");
    expect(out.warnings).toHaveLength(2);
  });

  it("--qr draws the URL as a QR code", async () => {
    const result = await runMain(["oauth-url", "--redirect-uri", "http://x.com/index", "--qr"], { env });
    expect(result.code).toBe(0);
    expect(result.stdout.split("\n").filter((line) => /[▀▄█]/.test(line)).length).toBeGreaterThan(10);
    expect(result.stderr).toMatch(/only opens inside the WeChat client/);
  });

  it.each([
    [["--redirect-uri", "/index"], /not an absolute URL/],
    [["--redirect-uri", "http://x.com/", "--state", "no spaces"], /letters and digits/],
    [["--redirect-uri", "http://x.com/", "--scope", "snsapi_all"], /Allowed choices/],
    [[], /required option '--redirect-uri/],
  ])("bad input %j is exit 2", async (args, message) => {
    const result = await runMain(["oauth-url", ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(message);
  });
});

describe("wxdev oauth against wxdev mock", () => {
  it("exchange → userinfo fails for a base token (48001) → check → refresh; secrets masked", async () => {
    const exchanged = await runMain(["oauth", "exchange", "--code", await freshCode(), "--api-base", base, "--json"], {
      env,
    });
    expect(exchanged.code).toBe(0);
    const token = JSON.parse(exchanged.stdout);
    expect(token.scope).toBe("snsapi_base");
    const info = await runMain(
      ["oauth", "userinfo", "--access-token", token.access_token, "--openid", token.openid, "--api-base", base],
      { env },
    );
    expect(info.code).toBe(1);
    expect(info.stderr).toMatch(/errcode 48001.*snsapi_userinfo/);
    const check = await runMain(
      ["oauth", "check", "--access-token", token.access_token, "--openid", token.openid, "--api-base", base],
      { env },
    );
    expect(check.code).toBe(0);
    expect(check.stdout).toMatch(/errmsg\s+ok/);
    const refreshed = await runMain(["oauth", "refresh", "--refresh-token", token.refresh_token, "--api-base", base], {
      env,
    });
    expect(refreshed.code).toBe(0);
    expect(refreshed.stdout).toMatch(/access_token\s+[\w-]{2}\*+[\w-]{2} \(\d+ chars\)/);
    expect(refreshed.stdout).not.toContain(token.refresh_token);
  });

  it("userinfo with a snsapi_userinfo grant shows the CJK nickname", async () => {
    const url = (
      await runMain(
        ["oauth-url", "--redirect-uri", "http://127.0.0.1:8013/index", "--scope", "snsapi_userinfo", "--base", base],
        { env },
      )
    ).stdout.trim();
    const page = await (await fetch(url)).text();
    const form = new URLSearchParams(
      Object.fromEntries(
        [...page.matchAll(/name="(\w+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!.replace(/&amp;/g, "&")]),
      ),
    );
    form.set("decision", "allow");
    form.set("user", "0");
    const confirmed = await fetch(`${base}/connect/oauth2/authorize/confirm`, {
      method: "POST",
      body: form,
      redirect: "manual",
    });
    const code = new URL(confirmed.headers.get("location")!).searchParams.get("code")!;
    const token = JSON.parse(
      (await runMain(["oauth", "exchange", "--code", code, "--api-base", base, "--json"], { env })).stdout,
    );
    const info = await runMain(
      [
        "oauth",
        "userinfo",
        "--access-token",
        token.access_token,
        "--openid",
        token.openid,
        "--api-base",
        base,
        "--json",
      ],
      { env },
    );
    expect(JSON.parse(info.stdout).nickname).toBe("张三");
  });

  it("a reused code is exit 1 with 40163 explained; a wrong secret 40125", async () => {
    const code = await freshCode();
    expect((await runMain(["oauth", "exchange", "--code", code, "--api-base", base], { env })).code).toBe(0);
    const reused = await runMain(["oauth", "exchange", "--code", code, "--api-base", base], { env });
    expect(reused.code).toBe(1);
    expect(reused.stderr).toMatch(/errcode 40163 \(code been used rid: [\w-]+\) — .*works once/);
    const wrong = await runMain(["oauth", "exchange", "--code", await freshCode(), "--api-base", base], {
      env: { ...env, WXDEV_APP_SECRET: "nope" },
    });
    expect(wrong.stderr).toMatch(/40125/);
    expect(wrong.stderr).not.toContain("nope");
  });

  it("no secret is exit 2; an unreachable API is exit 1", async () => {
    const noSecret = await runMain(["oauth", "exchange", "--code", "x", "--api-base", base], {
      env: { WXDEV_APP_ID: "wx" },
    });
    expect(noSecret.code).toBe(2);
    expect(noSecret.stderr).toMatch(/missing appSecret.*WXDEV_APP_SECRET/);
    const offline = await runMain(["oauth", "refresh", "--refresh-token", "r", "--api-base", "http://127.0.0.1:9"], {
      env,
    });
    expect(offline.code).toBe(1);
    expect(offline.stderr).toMatch(/cannot reach the API/);
  });

  it("the mock says it keeps state in memory and never prints a configured secret", () => {
    expect(mock.output()).toMatch(/in memory/);
    expect(mock.output()).not.toContain("clisecret");
  });
});
