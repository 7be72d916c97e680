import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { jsapiSignature } from "../../src/core/wire/jsapi.js";
import { runCli } from "../helpers/cli.js";
import { runMain } from "../helpers/main.js";
import { startMock } from "../helpers/processes.js";
import { vectors } from "../helpers/vectors.js";

const [doc, wxjava] = vectors.jsapiSignature;
if (doc === undefined || wxjava === undefined) throw new Error("no jsapi vectors");
const fixed = ["--nonce", doc.nonceStr, "--timestamp", doc.timestamp];
// biome-ignore lint/suspicious/noExplicitAny: the tests read whatever the command printed, field by field
const json = (stdout: string) => JSON.parse(stdout) as Record<string, any>;

describe("wxdev jsapi-sign", () => {
  it("prints the documentation's signature, the ticket masked", async () => {
    const result = await runMain(["jsapi-sign", "--ticket", doc.ticket, "--url", doc.url, ...fixed]);
    expect(result).toMatchObject({ code: 0, stderr: "" });
    expect(result.stdout).toMatch(new RegExp(`^signature +${doc.signature}\n`));
    expect(result.stdout).toContain(`url        ${doc.url}\n`);
    expect(result.stdout).toContain("ticket     sM********qg (86 chars)");
    expect(result.stdout).not.toContain(doc.ticket);
  });

  it("--json prints the wx.config object and the signed url; the ticket from WXDEV_JSAPI_TICKET, never printed", async () => {
    const env = { WXDEV_JSAPI_TICKET: doc.ticket, WXDEV_APP_ID: "wx807d86fb6b3d4fd2" };
    const result = await runMain(["jsapi-sign", "--url", doc.url, ...fixed, "--json"], { env });
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toEqual({
      appId: "wx807d86fb6b3d4fd2",
      timestamp: 1414587457,
      nonceStr: doc.nonceStr,
      signature: doc.signature,
      url: doc.url,
    });
    expect(result.stdout + result.stderr).not.toContain(doc.ticket);
  });

  it("reads the ticket from stdin with --ticket -; nonce and timestamp default to fresh ones that sign", async () => {
    const result = await runMain(["jsapi-sign", "--ticket", "-", "--url", doc.url, "--json"], {
      input: `${doc.ticket}\n`,
    });
    expect(result.code).toBe(0);
    const config = json(result.stdout);
    expect(config.nonceStr).toMatch(/^[A-Za-z0-9]{16}$/);
    expect(Math.abs(config.timestamp - Date.now() / 1000)).toBeLessThan(60);
    expect(config.signature).toBe(
      jsapiSignature({
        ticket: doc.ticket,
        url: doc.url,
        nonceStr: config.nonceStr,
        timestamp: String(config.timestamp),
      }),
    );
    expect(result.stderr).toContain("note: no appId set");
  });

  it.each<[string, string[], RegExp]>([
    [
      "no ticket",
      ["--url", doc.url],
      /^wxdev: missing the jsapi_ticket — pass --ticket T \(or --ticket - to read it from stdin\), set WXDEV_JSAPI/,
    ],
    ["no --url", ["--ticket", "t"], /required option '--url <url>' not specified/],
    [
      "a relative URL",
      ["--ticket", "t", "--url", "/page"],
      /'--url <url>' argument '\/page' is invalid. not an absolute URL/,
    ],
    ["a non-web URL", ["--ticket", "t", "--url", "ftp://x/"], /not an http\(s\) URL/],
    [
      "a timestamp that is no number",
      ["--ticket", "t", "--url", doc.url, "--timestamp", "1e9"],
      /timestamp "1e9" is not whole digits: wx.config takes it as a number \(JS-SDK documentation, wx.config\)/,
    ],
    [
      "a timestamp with a leading zero",
      ["--ticket", "t", "--url", doc.url, "--timestamp", "0414587457"],
      /starts with 0: .* drops the zero, so the page's signature would not match/,
    ],
    ["an empty nonce", ["--ticket", "t", "--url", doc.url, "--nonce", ""], /nonceStr is empty: wx.config requires one/],
    [
      "--fetch and --ticket",
      ["--fetch", "--ticket", "t", "--url", doc.url],
      /^wxdev: --fetch gets a ticket and --ticket/,
    ],
  ])("bad input (%s) is exit 2 with one line", async (_case, args, message) => {
    const result = await runMain(["jsapi-sign", ...args]);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(message);
  });

  it("WxJava's vector: a 36-character UUID nonce signs (c6f04b64…); chooseWXPay's 32 only warns", async () => {
    const args = ["--url", wxjava.url, "--nonce", wxjava.nonceStr, "--timestamp", wxjava.timestamp, "--json"];
    const result = await runMain(["jsapi-sign", "--ticket", wxjava.ticket, ...args], { env: { WXDEV_APP_ID: "wx1" } });
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ signature: wxjava.signature, nonceStr: wxjava.nonceStr });
    expect(wxjava.signature).toMatch(/^c6f04b64/);
    expect(result.stderr).toBe(
      "warning: nonceStr is 36 characters: wx.config documents no limit (WxJava signs 36-character UUIDs)," +
        " but chooseWXPay's is at most 32 (JS-SDK documentation, chooseWXPay)\n",
    );
  });

  it.each([
    ["milliseconds", ["--timestamp", "1414587457000"], /looks like milliseconds: the documentation's example/],
    ["a nonce with a space", ["--nonce", "a b"], /nonceStr holds white space .*\(JS-SDK documentation, appendix 1\)/],
    ["a ticket with a space", ["--ticket", "a b"], /the jsapi_ticket holds white space: signed as given/],
  ])("signed as given, with a warning naming its source: %s", async (_case, args, warning) => {
    const result = await runMain(["jsapi-sign", "--ticket", "t", "--url", doc.url, ...fixed, ...args, "--json"], {
      env: { WXDEV_APP_ID: "wx1" },
    });
    expect(result.code).toBe(0);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(result.stderr).toMatch(/^warning: /);
    expect(result.stderr).toMatch(warning);
    expect(json(result.stdout).signature).toMatch(/^[0-9a-f]{40}$/);
  });

  it("the built binary: a URL with #… is signed without it and says so on stderr", async () => {
    const result = await runCli(["jsapi-sign", "--url", `${doc.url}#/share?x=1`, ...fixed, "--json"], {
      env: { WXDEV_JSAPI_TICKET: doc.ticket },
    });
    expect(result.code).toBe(0);
    expect(json(result.stdout)).toMatchObject({ signature: doc.signature, url: doc.url });
    expect(result.stderr).toContain(`note: the URL's fragment #/share?x=1 is not signed; signed ${doc.url}\n`);
    expect(result.stdout + result.stderr).not.toContain(doc.ticket);
  });
});

describe("wxdev jsapi-sign --fetch against a real wxdev mock", () => {
  const env = { WXDEV_APP_ID: "wxjsapitest", WXDEV_APP_SECRET: "jsapisecret" };
  let mock: Awaited<ReturnType<typeof startMock>>;
  beforeAll(async () => {
    mock = await startMock([], env);
  });
  afterAll(() => mock?.stop());

  it("gets the token, then the ticket, and signs: the whole JS-SDK flow offline", async () => {
    const args = ["jsapi-sign", "--fetch", "--api-base", mock.origin, "--url", "https://app.test/page?x=1", "--json"];
    const result = await runMain(args, { env });
    expect(result.code).toBe(0);
    const config = json(result.stdout);
    expect(config).toMatchObject({ appId: "wxjsapitest", url: "https://app.test/page?x=1" });
    expect(config.signature).toMatch(/^[0-9a-f]{40}$/);
    expect(result.stderr).toMatch(
      new RegExp(`^ticket [\\w-]{2}\\*{8}[\\w-]{2} \\(86 chars\\) fetched from ${mock.origin}\n$`),
    );
    // The mock logs each request once answered: wait for the second line.
    await vi.waitFor(() =>
      expect(mock.output()).toMatch(
        /200 GET \/cgi-bin\/token [\d.]+ ms\n.*200 GET \/cgi-bin\/ticket\/getticket [\d.]+ ms\n/,
      ),
    );
  });

  it("a wrong secret is exit 1 with the platform's errcode and advice, the secret not shown", async () => {
    const args = ["jsapi-sign", "--fetch", "--api-base", mock.origin, "--url", "https://app.test/"];
    const result = await runMain(args, { env: { ...env, WXDEV_APP_SECRET: "wrongsecret" } });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^wxdev: the API answered errcode 40125 \(invalid appsecret rid: [\w-]+\) — invalid appsecret: check the appSecret/,
    );
    expect(result.stderr).not.toContain("wrongsecret");
  });

  it("without the app secret it is exit 2 naming where to set it", async () => {
    const args = ["jsapi-sign", "--fetch", "--api-base", mock.origin, "--url", "https://app.test/"];
    const result = await runMain(args, { env: { WXDEV_APP_ID: "wxjsapitest" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/missing appSecret — set it with WXDEV_APP_SECRET/);
  });
});
