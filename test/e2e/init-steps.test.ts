import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NGINX, startNginx } from "../helpers/classroom.js";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const PYTHON = "/usr/bin/python3";
const missing =
  sshdMissing() ??
  (NGINX === undefined ? "no nginx" : undefined) ??
  (spawnSync(PYTHON, ["-c", "import flask, xmltodict"]).status === 0 ? undefined : "no flask for /usr/bin/python3");
if (missing) console.warn(`skipping the init next-steps test: ${missing}`);

/** The numbered next steps init printed: what each says after its label. */
function steps(printed: string): string[] {
  return [...printed.matchAll(/^ {2}(\d)\. [^:]+:\s+(.*)$/gm)].map((match) => match[2] ?? "");
}

describe.skipIf(missing !== undefined)("wxdev init's next steps, run in order as printed (real sshd, nginx)", () => {
  let sshd: TestSshd;
  let nginx: ChildProcess | undefined;
  let local: ChildProcess | undefined;
  let dir: string;
  let server: string;
  const env: Record<string, string> = { WXDEV_TOKEN: "stepToken42" };
  const wx = (args: string[], input?: string) =>
    runMain(args, { cwd: dir, env, timeoutMs: 60_000, ...(input === undefined ? {} : { input }) });

  beforeAll(async () => {
    // An account of its own, as fresh as a student's: no venv, no ~/wechat yet.
    sshd = await startSshd({ stockBashrc: true, account: "i" });
    sshd.run("rm -rf ~/.virtualenvs/wechat ~/wechat ~/.wechat.wxdev");
    // No PyPI here: the venv mkvirtualenv makes sees Debian's flask, so pip finds the requirements met.
    sshd.run("echo 'export VIRTUALENVWRAPPER_VIRTUALENV_ARGS=--system-site-packages' >> ~/.bashrc");
    env.HOME = temp("wxdev-client-home-");
    dir = join(temp("wxdev-init-steps-"), "my-app");
  }, 60_000);
  afterAll(async () => {
    local?.kill();
    if (server !== undefined) await wx(["stop", server]).catch(() => undefined);
    nginx?.kill();
    await sshd?.stop();
  });

  it("init, run it here, check, the venv, the Token, deploy --no-start && pip install, start && status", async () => {
    const port = await freePort();
    server = `s${port}`;
    const init = await runMain(["init", dir, "--account", server, "--host", "127.0.0.1"], { env, cwd: temp("x-") });
    expect(init.code, init.stderr).toBe(0);
    const printed = steps(init.stdout);
    expect(printed).toEqual([
      "export WXDEV_TOKEN=…   then   python3 wechat.py   (pip install -r requirements.txt if needed)",
      `wxdev check            (in another terminal; the URL http://127.0.0.1:${port}/wechat${port} is in the config)`,
      `wxdev ssh ${server}   then   mkvirtualenv wechat   then   exit`,
      `wxdev env ${server} set WECHAT_TOKEN   (asks for it, hidden; the app reads it on the server)`,
      `wxdev deploy ${server} --no-start && wxdev exec ${server} -- pip install -r requirements.txt`,
      `wxdev start ${server} && wxdev status ${server}`,
      `URL http://127.0.0.1/wechat${port}, your Token, message mode 明文 (plain)`,
    ]);
    // The login a student's ~/.ssh/config would give, and nginx where the class's stands (not port 80 here).
    const proxyPort = await freePort();
    const configPath = join(dir, "wxdev.config.json");
    const config = JSON.parse(readFileSync(configPath, "utf8"));
    Object.assign(config.servers[server], {
      username: sshd.user,
      port: sshd.port,
      privateKey: sshd.clientKey,
      checkUrl: `http://127.0.0.1:${proxyPort}/wechat${port}`,
    });
    writeFileSync(configPath, JSON.stringify(config));
    nginx = await startNginx(
      dir,
      (await wx(["nginx", server, "--full", "--listen", String(proxyPort)])).stdout,
      proxyPort,
    );

    // 1 and 2: here.
    local = spawn(PYTHON, ["wechat.py"], { cwd: dir, env: { PATH: process.env.PATH ?? "", ...env } });
    for (
      let i = 0;
      i < 100 &&
      !(await fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      ));
      i++
    )
      await new Promise((resolve) => setTimeout(resolve, 100));
    const check = await wx(["check"]);
    expect(check.code, check.stdout).toBe(0);
    local.kill();
    await new Promise((resolve) => local?.once("exit", resolve));
    // 3: the venv, in wxdev ssh (no remoteDir and no venv yet: it says so and goes on in the home folder).
    const shell = await wx(["ssh", server, "--yes"], "mkvirtualenv wechat\nexit\n");
    expect(shell.code, shell.stderr).toBe(0);
    expect(shell.stderr).toContain("no directory");
    expect(sshd.run("ls ~/.virtualenvs/wechat/bin/activate")).toContain("activate");
    // 4: the Token (no terminal here: from stdin).
    expect((await wx(["env", server, "set", "WECHAT_TOKEN"], "stepToken42\n")).code).toBe(0);
    // 5, 6: as printed, each && stopping at a failure.
    for (const line of [printed[4], printed[5]]) {
      for (const command of (line ?? "").split(" && ")) {
        const words = command.trim().split(/\s+/).slice(1);
        const result = await wx(words);
        expect(result.code, `${command}: ${result.stdout}${result.stderr}`).toBe(0);
      }
    }
    expect(await wx(["handshake", "--url", config.servers[server].checkUrl])).toMatchObject({ code: 0 });
  });
});
