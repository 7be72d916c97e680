import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "../helpers/cli.js";
import { freePort } from "../helpers/net.js";
import { startCommand, type RunningCommand } from "../helpers/processes.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
if (NGINX === undefined && process.env.CI) throw new Error("nginx is missing in CI: .ci/run should have installed it");
if (NGINX === undefined) console.warn("skipping the nginx tests: nginx not found (apt-get install nginx)");

const TOKEN = "nginxtoken";

describe.skipIf(NGINX === undefined)("wxdev nginx output in a real nginx, with wxdev serve behind it", () => {
  let dir: string;
  let appPort: number;
  let proxyPort: number;
  let nginx: ChildProcess;
  let serve: RunningCommand;
  let log = "";

  beforeAll(async () => {
    [appPort, proxyPort] = await Promise.all([freePort(), freePort()]);
    dir = temp("wxdev-nginx-");
    writeFileSync(
      join(dir, "wxdev.config.json"),
      JSON.stringify({ servers: { s8013: { host: "h", username: "s8013", remoteDir: "~/x", appPort } } }),
    );
    const printed = await runCli(["nginx", "s8013", "--full", "--listen", String(proxyPort)], { cwd: dir });
    expect(printed.code, printed.stderr).toBe(0);
    writeFileSync(join(dir, "nginx.conf"), printed.stdout);
    execFileSync(NGINX!, ["-t", "-q", "-p", dir, "-c", join(dir, "nginx.conf")]);
    nginx = spawn(NGINX!, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], {
      stdio: ["ignore", "ignore", "pipe"],
    });
    nginx.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
    serve = await startCommand(
      ["serve", "--port", String(appPort), "--path", `/wechat${appPort}`],
      { WXDEV_TOKEN: TOKEN },
      /listening/,
    );
    for (let i = 0; i < 100; i++) {
      const ok = await fetch(`http://127.0.0.1:${proxyPort}/`).then(
        () => true,
        () => false,
      );
      if (ok) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  }, 30_000);

  afterAll(async () => {
    nginx?.kill("SIGQUIT");
    await serve?.stop();
  });

  it("prints the location blocks for the server's appPort", async () => {
    const blocks = await runCli(["nginx", "s8013"], { cwd: dir });
    expect(blocks.stdout).toContain(`location = /wechat${appPort} {`);
    expect(blocks.stdout).toContain(`proxy_pass http://127.0.0.1:${appPort};`);
  });

  it("the handshake, a message and the check suite pass through nginx", async () => {
    const url = `http://127.0.0.1:${proxyPort}/wechat${appPort}`;
    const shake = await runCli(["handshake", "--url", url], { env: { WXDEV_TOKEN: TOKEN } });
    expect(shake.code, `${shake.stdout}${log}`).toBe(0);
    const text = await runCli(["simulate", "text", "穿过 nginx", "--url", url, "--json"], {
      env: { WXDEV_TOKEN: TOKEN },
    });
    expect(JSON.parse(text.stdout).reply.Content).toBe("穿过 nginx");
    const check = await runCli(["check", "--url", url], { env: { WXDEV_TOKEN: TOKEN } });
    expect(check.code, check.stdout).toBe(0);
  });

  it(
    "has none of the trailing-slash traps: no 301, /wechatPORT0 does not reach the app, " + "sub-paths keep their path",
    async () => {
      const exact = await fetch(`http://127.0.0.1:${proxyPort}/wechat${appPort}`, { redirect: "manual" });
      expect(exact.status).toBe(403); // reached the app, which refused the unsigned request
      const longer = await fetch(`http://127.0.0.1:${proxyPort}/wechat${appPort}0`, { redirect: "manual" });
      // nginx answers it itself (404, or 403 where its html/ root is unreadable): the app never sees it.
      expect([403, 404]).toContain(longer.status);
      expect(await longer.text()).toContain("nginx");
      expect(serve.output()).not.toContain(`/wechat${appPort}0`);
      const sub = await fetch(`http://127.0.0.1:${proxyPort}/wechat${appPort}/`, { redirect: "manual" });
      expect(sub.status).toBe(404);
      expect(await sub.text()).toContain("without the trailing slash"); // the app saw /wechatPORT/, not //
      for (let i = 0; i < 40 && !/404 GET \/wechat\d+\/ no such path \/wechat\d+\//.test(serve.output()); i++)
        await new Promise((resolve) => setTimeout(resolve, 50));
      expect(serve.output()).toMatch(/404 GET \/wechat\d+\/ no such path \/wechat\d+\//);
    },
  );
});
