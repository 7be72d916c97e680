import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { startCommand } from "../helpers/processes.js";
import { freePort } from "../helpers/net.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { makeWechatVenv, NGINX, startNginx } from "../helpers/classroom.js";

const temp = tempDirs();

if (NGINX === undefined && process.env.CI) throw new Error("nginx is missing in CI: .ci/run should have installed it");

const missing = sshdMissing();
if (missing) console.warn(`skipping the managed-app tests: ${missing}`);

/** The class's seed app: GET checks the signature and echoes echostr; POST echoes the text back. */
function seedApp(port: number, version: string): string {
  return `import hashlib, sys, time
from flask import Flask, request
import xmltodict

TOKEN = "apptoken"
app = Flask(__name__)

@app.route("/wechat${port}", methods=["GET", "POST"])
def wechat():
    if request.method == "GET":
        a = request.args
        check = hashlib.sha1("".join(sorted([TOKEN, a.get("timestamp", ""), a.get("nonce", "")])).encode()).hexdigest()
        return a.get("echostr", "") if check == a.get("signature") else "bad signature"
    msg = xmltodict.parse(request.data)["xml"]
    return xmltodict.unparse({"xml": {"ToUserName": msg["FromUserName"], "FromUserName": msg["ToUserName"],
        "CreateTime": int(time.time()), "MsgType": "text", "Content": msg.get("Content", "")}}, full_document=False)

@app.route("/version")
def version():
    return "${version}"

if __name__ == "__main__":
    print("seed app starting in", sys.prefix)
    app.run(host="127.0.0.1", port=${port})
`;
}

describe.skipIf(missing !== undefined)(
  "the managed app on a stock Debian account (real sshd, virtualenvwrapper)",
  () => {
    let sshd: TestSshd;
    let clientHome: string;
    let dir: string;
    let port: number;
    let proxyPort: number;
    let nginx: ChildProcess | undefined;
    const env = (): Record<string, string> => ({ HOME: clientHome, WXDEV_TOKEN: "apptoken" });
    const wx = (args: string[]) => runMain(args, { cwd: dir, env: env(), timeoutMs: 30_000 });
    const version = async (): Promise<string> =>
      fetch(`http://127.0.0.1:${port}/version`).then(
        (response) => response.text(),
        () => "down",
      );

    beforeAll(async () => {
      sshd = await startSshd({ stockBashrc: true });
      clientHome = temp("wxdev-client-home-");
      dir = temp("wxdev-app-");
      [port, proxyPort] = await Promise.all([freePort(), freePort()]);
      makeWechatVenv(sshd);
      const common = serverEntry(sshd, `app-${port}`, { appPort: port });
      writeFileSync(
        join(dir, "wxdev.config.json"),
        JSON.stringify({
          servers: {
            s8013: { ...common, venv: "wechat", start: "python wechat.py" },
            bare: common,
            nostart: { ...common, venv: "wechat", start: "no-such-program --port 1" },
            proxied: {
              ...common,
              venv: "wechat",
              start: "python wechat.py",
              checkUrl: `http://127.0.0.1:${proxyPort}/wechat${port}`,
            },
          },
        }),
      );
      writeFileSync(join(dir, "wechat.py"), seedApp(port, "one"));
      const deployed = await wx(["deploy", "s8013", "--yes", "--no-start"]);
      expect(deployed.code, deployed.stderr).toBe(0);
    }, 60_000);

    afterAll(async () => {
      if (dir !== undefined) await wx(["stop", "s8013"]).catch(() => undefined);
      nginx?.kill();
      await sshd?.stop();
    });

    it("start runs the app in its venv, detached; it answers on its port", async () => {
      const started = await wx(["start", "s8013"]);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toMatch(new RegExp(`started s8013: pid \\d+, release \\S+, port ${port} listening`));
      expect(await version()).toBe("one");
      const logs = await wx(["logs", "s8013", "-n", "20"]);
      expect(logs.code, logs.stderr).toBe(0);
      expect(logs.stdout).toMatch(/^--- wxdev start \S+ release \S+ ---$/m);
      expect(logs.stdout).toContain(`seed app starting in ${sshd.home}/.virtualenvs/wechat`);
    });

    it("status: running, pid, uptime, port listening, live release; --json", async () => {
      const status = await wx(["status", "s8013", "--json"]);
      expect(status.code, status.stderr).toBe(0);
      const parsed = JSON.parse(status.stdout);
      expect(parsed.status).toMatchObject({ running: true, port, listening: true, pid: expect.any(Number) });
      expect(parsed.status.release).toMatch(/^\d{8}T/);
      const text = await wx(["status", "s8013"]);
      expect(text.stdout).toMatch(/app\s+running/);
      expect(text.stdout).toMatch(new RegExp(`port\\s+${port} listening`));
    });

    it("logs -f follows the log until Ctrl-C (the built binary, a real SIGINT)", async () => {
      const config = join(dir, "wxdev.config.json");
      const follow = await startCommand(["--config", config, "logs", "s8013", "-f", "-n", "5"], env(), /Running on/);
      try {
        await fetch(`http://127.0.0.1:${port}/version?follow=1`);
        for (let i = 0; i < 100 && !follow.output().includes("/version?follow=1"); i++)
          await new Promise((resolve) => setTimeout(resolve, 50));
        expect(follow.output()).toContain("GET /version?follow=1");
      } finally {
        follow.child.kill("SIGINT");
      }
      expect(await new Promise((resolve) => follow.child.once("exit", resolve))).toBe(0);
    });

    it("restart gives a new pid and stops the old one; the new code answers", async () => {
      const before = JSON.parse((await wx(["status", "s8013", "--json"])).stdout).status.pid as number;
      writeFileSync(join(dir, "wechat.py"), seedApp(port, "two"));
      expect((await wx(["deploy", "s8013", "--no-start"])).code).toBe(0);
      const restarted = await wx(["restart", "s8013"]);
      expect(restarted.code, restarted.stderr).toBe(0);
      expect(restarted.stdout).toContain(`(stopped pid ${before})`);
      const after = JSON.parse((await wx(["status", "s8013", "--json"])).stdout).status.pid as number;
      expect(after).not.toBe(before);
      // Gone, or a zombie where the container's init does not reap.
      expect(sshd.run(`ps -o stat= -p ${before} | grep -v Z || echo gone`).trim()).toBe("gone");
      expect(await version()).toBe("two");
    });

    it("a release that does not start (SyntaxError): exit 1 with its log tail; status then exits 1", async () => {
      writeFileSync(join(dir, "wechat.py"), "def broken(:\n");
      expect((await wx(["deploy", "s8013", "--no-start"])).code).toBe(0);
      const started = await wx(["start", "s8013"]);
      expect(started.code).toBe(1);
      expect(started.stderr).toContain("the app exited with status 1");
      expect(started.stderr).toContain("(wxdev logs s8013 shows more)");
      expect(started.stderr).toContain("SyntaxError");
      const status = await wx(["status", "s8013"]);
      expect(status.code).toBe(1);
      expect(status.stdout).toMatch(/app\s+not running/);
      writeFileSync(join(dir, "wechat.py"), seedApp(port, "three"));
      expect((await wx(["deploy", "s8013", "--no-start"])).code).toBe(0);
      expect((await wx(["start", "s8013"])).code).toBe(0);
      expect(await version()).toBe("three");
    });

    it("a start command that is not found is exit 1 naming it", async () => {
      const started = await wx(["start", "nostart"]);
      expect(started.code).toBe(1);
      expect(started.stderr).toContain("no-such-program: command not found");
      // The same remoteDir, so the same app: it was stopped before the failed start (deploy's rollback restarts it).
      expect(await version()).toBe("down");
      expect((await wx(["start", "s8013"])).code).toBe(0);
    });

    it("exec: workon from the stock ~/.bashrc works, without job-control noise; venv without workon too", async () => {
      const python = "python -c 'import sys, importlib.metadata as m; print(sys.prefix, m.version(\"flask\"))'";
      const viaWorkon = await wx(["exec", "bare", "--", `workon wechat && ${python}`]);
      expect(viaWorkon.stderr).toBe("");
      expect(viaWorkon.code).toBe(0);
      expect(viaWorkon.stdout).toMatch(new RegExp(`^${sshd.home}/\\.virtualenvs/wechat \\d+\\.\\d+`));
      const viaVenv = await wx(["exec", "s8013", "--", python]);
      expect(viaVenv.code, viaVenv.stderr).toBe(0);
      expect(viaVenv.stdout).toContain(`${sshd.home}/.virtualenvs/wechat`);
      const cwd = await wx(["exec", "s8013", "--", "pwd;", "ls"]);
      expect(cwd.stdout).toBe(`${sshd.home}/app-${port}\nwechat.py\n`);
    });

    it("python not found (no venv active, Debian has python3 only): the fix is the venv, not installing python", async () => {
      const bare = await wx(["exec", "bare", "--", "python -V"]);
      expect(bare.code).toBe(1);
      expect(bare.stderr).toContain(
        'python: command not found on the server — python comes with the app\'s virtualenv: set "venv" in the' +
          " server config (wxdev activates it), or start the line with workon NAME &&; Debian's own is python3",
      );
      expect(bare.stderr).not.toContain("install it on the server");
      expect((await wx(["exec", "s8013", "--", "python -V"])).code).toBe(0);
    });

    it("exec passes the exit code through; a command not found anywhere is exit 1 with the fix", async () => {
      expect((await wx(["exec", "s8013", "--", "exit 3"])).code).toBe(3);
      const notFound = await wx(["exec", "s8013", "--", "workonn wechat && python -V; echo still"]);
      expect(notFound.stdout).toBe("still\n");
      expect(notFound.code).toBe(1);
      expect(notFound.stderr).toContain("workonn: command not found");
      const workon = await wx(["exec", "bare", "--", 'workon wechat; echo "$VIRTUAL_ENV"']);
      expect(workon.code, workon.stderr).toBe(0);
      expect(workon.stdout).toBe(`${sshd.home}/.virtualenvs/wechat\n`);
      // Without virtualenvwrapper's workon (here: removed), the error says to set "venv".
      const noWorkon = await wx(["exec", "bare", "--", "unset -f workon; workon wechat && python -V"]);
      expect(noWorkon.code).toBe(1);
      expect(noWorkon.stderr).toContain('workon: command not found on the server — set "venv" in the server config');
      // A login shell (bash -lc) does not define workon: the wrapper says how to fix that.
      const loginOnly = await wx(["exec", "s8013", "--", "bash -lc 'workon wechat'"]);
      expect(loginOnly.code).toBe(127);
    });

    it.skipIf(NGINX === undefined)(
      "status through a real nginx (wxdev nginx's block): the signed handshake passes",
      async () => {
        const printed = await wx(["nginx", "proxied", "--full", "--listen", String(proxyPort)]);
        nginx = await startNginx(dir, printed.stdout, proxyPort);
        const restarted = await wx(["restart", "proxied"]);
        expect(restarted.code, restarted.stderr).toBe(0);
        expect(restarted.stdout).toContain(`✓ handshake through http://127.0.0.1:${proxyPort}/wechat${port}`);
        const status = await wx(["status", "proxied", "--json"]);
        expect(status.code, status.stderr).toBe(0);
        expect(JSON.parse(status.stdout).handshake).toMatchObject({ ok: true, status: 200 });
        const text = await wx(["status", "proxied"]);
        expect(text.stdout).toMatch(
          new RegExp(`handshake\\s+pass \\d+ ms http://127.0.0.1:${proxyPort}/wechat${port}`),
        );
        // With another Token the app refuses the signature: the handshake fails, and so does status.
        const wrong = await runMain(["status", "proxied"], { cwd: dir, env: { ...env(), WXDEV_TOKEN: "other" } });
        expect(wrong.code).toBe(1);
        expect(wrong.stdout).toMatch(/handshake\s+fail/);
      },
    );

    it("stop stops it: port closed, status exits 1; a second stop says nothing ran", async () => {
      const stopped = await wx(["stop", "s8013"]);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toMatch(/stopped s8013 \(pid \d+\)/);
      expect(await version()).toBe("down");
      const status = await wx(["status", "s8013", "--json"]);
      expect(status.code).toBe(1);
      expect(JSON.parse(status.stdout).status).toMatchObject({ running: false, listening: false });
      expect((await wx(["stop", "s8013"])).stdout).toContain("no app started by wxdev was running");
      // A process wxdev did not start holds the port (an old hand-started app): start says so, exit 1.
      const squatter = createServer().listen(port, "127.0.0.1");
      await new Promise((resolve) => squatter.once("listening", resolve));
      try {
        const busy = await wx(["start", "s8013"]);
        expect(busy.code).toBe(1);
        expect(busy.stderr).toContain(`port ${port} is already taken by a process wxdev did not start`);
        // By its pid: `pkill -f 'python wechat.py'` through wxdev exec would kill its own shell too.
        expect(busy.stderr).toContain(
          `find its pid with wxdev exec s8013 -- ss -ltnp 'sport = :${port}' and stop it with wxdev exec s8013 -- kill PID`,
        );
        expect(busy.stderr).not.toContain("pkill");
      } finally {
        squatter.close();
      }
      if (nginx !== undefined) {
        const proxied = await wx(["status", "proxied", "--json"]);
        expect(proxied.code).toBe(1);
        expect(JSON.parse(proxied.stdout).handshake).toMatchObject({ ok: false, status: 502 });
      }
    });
  },
);
