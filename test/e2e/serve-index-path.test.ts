import type { ChildProcess } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nginxConfig } from "../../src/core/deploy/nginx.js";
import { runMain } from "../helpers/main.js";
import { NGINX, startNginx } from "../helpers/classroom.js";
import { freePort } from "../helpers/net.js";
import { type RunningCommand, startCommand, startMock } from "../helpers/processes.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
if (NGINX === undefined && process.env.CI) throw new Error("nginx is missing in CI: .ci/run should have installed it");

const env = { WXDEV_APP_ID: "wxindex", WXDEV_APP_SECRET: "indexsecret", WXDEV_TOKEN: "indextoken" };

/** The href of the page's "authorize" link. */
function actionLink(html: string): URL {
  const href = /<a id="action" href="([^"]+)"/.exec(html)?.[1];
  if (href === undefined) throw new Error(`no authorize link in the page: ${html}`);
  return new URL(href.replace(/&amp;/g, "&"));
}

describe("serve --index-path: the OAuth page under the path the class's nginx maps", () => {
  let mock: Awaited<ReturnType<typeof startMock>>;
  let serve: RunningCommand;
  let nginx: ChildProcess | undefined;
  let appPort: number;
  let proxyPort: number;
  const indexPath = (): string => `/wechat${appPort}/index`;

  beforeAll(async () => {
    [appPort, proxyPort] = await Promise.all([freePort(), freePort()]);
    mock = await startMock(["--callback-domain", "127.0.0.1"], env);
    serve = await startCommand(
      [
        "serve",
        "--port",
        String(appPort),
        "--path",
        `/wechat${appPort}`,
        "--index-path",
        indexPath(),
        "--api-base",
        mock.origin,
      ],
      env,
      /OAuth page/,
    );
    if (NGINX !== undefined) {
      const config = nginxConfig({ name: `s${appPort}`, appPort, full: true, listen: proxyPort });
      nginx = await startNginx(temp("wxdev-index-nginx-"), config, proxyPort);
    }
  }, 30_000);

  afterAll(async () => {
    nginx?.kill("SIGQUIT");
    await Promise.all([serve?.stop(), mock?.stop()]);
  });

  it("prints where the page is; the old /index is not served", async () => {
    expect(serve.output()).toContain(`OAuth page: http://127.0.0.1:${appPort}${indexPath()}`);
    const old = await fetch(`http://127.0.0.1:${appPort}/index`);
    expect(old.status).toBe(404);
  });

  it("the page links to the authorize URL with itself as redirect_uri, and the code comes back to it", async () => {
    const page = await fetch(`http://127.0.0.1:${appPort}${indexPath()}`);
    expect(page.status).toBe(400);
    const link = actionLink(await page.text());
    expect(link.searchParams.get("redirect_uri")).toBe(`http://127.0.0.1:${appPort}${indexPath()}`);
    expect(link.searchParams.get("appid")).toBe("wxindex");
    // The mock's authorize page sends snsapi_base on silently: the redirect lands on the page's own path.
    link.searchParams.set("scope", "snsapi_base");
    const authorize = await fetch(link, { redirect: "manual" });
    const back = new URL(authorize.headers.get("location") ?? "");
    expect(`${back.origin}${back.pathname}`).toBe(`http://127.0.0.1:${appPort}${indexPath()}`);
    const landed = await fetch(back);
    expect(landed.status).toBe(200);
    expect(await landed.text()).toMatch(/<dd id="openid">o\w+<\/dd>/);
  });

  it.skipIf(NGINX === undefined)(
    "through the real nginx (only /wechatPORT[/…] mapped), the page exchanges the code",
    async () => {
      const through = `http://127.0.0.1:${proxyPort}${indexPath()}`;
      const page = await fetch(through);
      expect(page.status).toBe(400);
      // nginx passes $host (no port) on: the link names the public host, as on the class server's port 80.
      expect(actionLink(await page.text()).searchParams.get("redirect_uri")).toBe(`http://127.0.0.1${indexPath()}`);
      const link = actionLink(await (await fetch(`http://127.0.0.1:${appPort}${indexPath()}`)).text());
      link.searchParams.set("scope", "snsapi_base");
      const code = new URL((await fetch(link, { redirect: "manual" })).headers.get("location") ?? "").searchParams.get(
        "code",
      );
      const landed = await fetch(`${through}?code=${code}`);
      expect(landed.status).toBe(200);
      expect(await landed.text()).toMatch(/<dd id="openid">o\w+<\/dd>/);
      // What nginx does not map never reaches the app (the reason --index-path exists): nginx answers it itself,
      // 403 when its worker (nobody, under root) cannot read the prefix folder, else 404.
      const unmapped = await fetch(`http://127.0.0.1:${proxyPort}/index`);
      expect([403, 404]).toContain(unmapped.status);
      expect(await unmapped.text()).toMatch(/<center>nginx[/<]/);
    },
  );

  it.each([
    [["--index-path", "index"], /--index-path "index" does not start with \/.*e\.g\. --index-path \/wechat8013\/index/],
    [["--index-path", "/wechat8013"], /--index-path is the callback path \/wechat8013/],
  ])("%j is exit 2 in one line", async (args, pattern) => {
    const result = await runMain(["serve", "--port", "0", ...args], { env });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(pattern);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });
});
