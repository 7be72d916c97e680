import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CliResult } from "./cli.js";
import { runMain } from "./main.js";
import { freePort } from "./net.js";
import { skipReason } from "./skips.js";
import { localEntry, type LocalServer, startLocalServer } from "./local-server.js";
import { serverEntry, startSshd, type TestSshd } from "./sshd.js";

/** Debian's nginx, when it is installed. */
export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
// The test files that import this skip their nginx parts without it: the run's summary says why.
if (NGINX === undefined) skipReason("nginx not found (apt-get install nginx)");

/** As a student sets it up: virtualenvwrapper from ~/.bashrc, a venv `wechat` that sees Debian's flask and xmltodict. */
export function makeWechatVenv(sshd: ClassroomServer): void {
  sshd.run(
    `export HOME=${sshd.home}; cd; source /usr/share/virtualenvwrapper/virtualenvwrapper.sh >/dev/null 2>&1; ` +
      "[ -d ~/.virtualenvs/wechat ] || mkvirtualenv --system-site-packages wechat >/dev/null 2>&1",
  );
}

/**
 * The venv `wechat` made the quick way (python3 -m venv, no pip), seeing Debian's flask and xmltodict, after
 * virtualenvwrapper has made its hook scripts once (as mkvirtualenv would have).
 */
export function makeQuickWechatVenv(server: ClassroomServer): void {
  server.run(
    "source /usr/share/virtualenvwrapper/virtualenvwrapper.sh >/dev/null 2>&1; " +
      "/usr/bin/python3 -m venv --system-site-packages --without-pip ~/.virtualenvs/wechat",
  );
}

/** Runs nginx on `config` (what `wxdev nginx --full` printed) from `dir`; resolves once it answers on `port`. */
export async function startNginx(dir: string, config: string, port: number): Promise<ChildProcess> {
  if (NGINX === undefined) throw new Error("nginx is not installed");
  writeFileSync(join(dir, "nginx.conf"), config);
  execFileSync(NGINX, ["-t", "-q", "-p", dir, "-c", join(dir, "nginx.conf")]);
  const nginx = spawn(NGINX, ["-p", dir, "-c", join(dir, "nginx.conf"), "-g", "daemon off;"], { stdio: "ignore" });
  const answers = (): Promise<boolean> =>
    fetch(`http://127.0.0.1:${port}/`).then(
      () => true,
      () => false,
    );
  for (let i = 0; i < 100 && !(await answers()); i++) await new Promise((resolve) => setTimeout(resolve, 50));
  return nginx;
}

/** How the seed app behaves beyond echoing. */
export interface SeedOptions {
  /** It exits this many seconds after its port opens. */
  exitsAfter?: number;
  /** It exits as the first request arrives, answering nothing. */
  exitsOnRequest?: boolean;
  /** Its Token: "apptoken" written in the file (default), or read from WECHAT_TOKEN as wxdev init's app does. */
  token?: "file" | "environment";
}

/**
 * The class's seed app (Flask + xmltodict): GET echoes echostr when the signature holds (else 403), POST answers a
 * text message with `version: text`, so a test sees which release answered.
 */
export function seedApp(port: number, version: string, options: SeedOptions = {}): string {
  const exits =
    options.exitsAfter === undefined
      ? ""
      : `import os, socket, threading, time

def leave():
    while True:
        try:
            socket.create_connection(("127.0.0.1", ${port}), 0.1).close()
            break
        except OSError:
            time.sleep(0.02)
    time.sleep(${options.exitsAfter})
    os._exit(0)

threading.Thread(target=leave, daemon=True).start()
`;
  const token = options.token === "environment" ? 'os.environ.get("WECHAT_TOKEN", "")' : '"apptoken"';
  return `${exits}import hashlib, os, time
from flask import Flask, request
import xmltodict

TOKEN = ${token}
app = Flask(__name__)

@app.route("/wechat${port}", methods=["GET", "POST"])
def wechat():${options.exitsOnRequest ? "\n    os._exit(0)" : ""}
    a = request.args
    check = hashlib.sha1("".join(sorted([TOKEN, a.get("timestamp", ""), a.get("nonce", "")])).encode()).hexdigest()
    if TOKEN == "" or check != a.get("signature"):
        return "bad signature", 403
    if request.method == "GET":
        return a.get("echostr", "")
    msg = xmltodict.parse(request.data)["xml"]
    return xmltodict.unparse({"xml": {"ToUserName": msg["FromUserName"], "FromUserName": msg["ToUserName"],
        "CreateTime": int(time.time()), "MsgType": "text", "Content": "${version}: " + msg.get("Content", "")}},
        full_document=False)

if __name__ == "__main__":
    app.run(host="127.0.0.1", port=${port})
`;
}

/**
 * The stock Debian ~/.bashrc (its "not interactive: return" guard first) with virtualenvwrapper's lazy loader at the
 * end: the same `workon`, loaded when first called, so a command that does not call it is not slowed by the loading.
 */
export function lazyStockBashrc(): string {
  return `${readFileSync("/etc/skel/.bashrc", "utf8")}\nsource /usr/share/virtualenvwrapper/virtualenvwrapper_lazy.sh\n`;
}

/** The account a classroom deploys to: a real sshd's, or (the middle tier) a local server's. */
export type ClassroomServer = Pick<TestSshd, "user" | "home" | "run">;

/** A project deployed to a stock Debian account behind a real nginx, as the class has it. */
export interface Classroom {
  sshd: ClassroomServer;
  /** The project folder (wxdev.config.json, wechat.py). */
  dir: string;
  clientHome: string;
  /** The app's port on the server, and nginx's. */
  port: number;
  proxyPort: number;
  /** The server entry "s8013" in wxdev.config.json. */
  server: Record<string, unknown> & { remoteDir: string; checkUrl: string };
  /** Runs wxdev in the project (in process), WXDEV_TOKEN=apptoken unless `env` says otherwise; `input` on stdin. */
  wx(args: string[], env?: Record<string, string | undefined>, input?: string): Promise<CliResult>;
  /** Writes wechat.py: the seed app answering `version` ("broken": a SyntaxError). */
  write(version: string, options?: SeedOptions): void;
  /** The version that answers a text message sent through nginx, as WeChat sends it. */
  reply(): Promise<string>;
  stop(): Promise<void>;
}

/**
 * Starts a real sshd (a stock Debian account with virtualenvwrapper and the venv `wechat`) and nginx in front of
 * the app's port, and writes a project whose server "s8013" has `server` over its login, appPort, venv and
 * checkUrl; `server.start === null` leaves "start" out.
 */
export async function openClassroom(
  temp: (prefix: string) => string,
  server: Record<string, unknown> = {},
  /** An account of its own (after WXDEV_TEST_USER), for a test whose commands act on every process of it (pkill). */
  account?: string,
  /**
   * The middle tier: a local server (test/helpers/local-server.ts; connect() reaches it by its port) whose
   * ~/.bashrc is lazyStockBashrc(), and a venv made with python3 -m venv, instead of a real sshd.
   */
  options: { local?: boolean } = {},
): Promise<Classroom> {
  const named = account === undefined ? {} : { account };
  const local = options.local ? await startLocalServer({ ...named, bashrc: lazyStockBashrc() }) : undefined;
  const sshd: ClassroomServer & { stop(): Promise<void> } = local ?? (await startSshd({ stockBashrc: true, ...named }));
  const clientHome = temp("wxdev-client-home-");
  const dir = temp("wxdev-classroom-");
  const [port, proxyPort] = await Promise.all([freePort(), freePort()]);
  if (local === undefined) makeWechatVenv(sshd);
  else makeQuickWechatVenv(local);
  const { start = "python wechat.py", ...rest } = server;
  const at = (remote: string, extra: Record<string, unknown>) =>
    local === undefined
      ? serverEntry(sshd as TestSshd, remote, extra)
      : localEntry(local as LocalServer, remote, extra);
  const entry = at(`room-${port}`, {
    appPort: port,
    venv: "wechat",
    ...(start === null ? {} : { start }),
    checkUrl: `http://127.0.0.1:${proxyPort}/wechat${port}`,
    ...rest,
  }) as Classroom["server"];
  writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: entry } }));
  const wx = (args: string[], env: Record<string, string | undefined> = {}, input?: string) =>
    runMain(args, {
      cwd: dir,
      env: { HOME: clientHome, WXDEV_TOKEN: "apptoken", ...env },
      timeoutMs: 60_000,
      ...(input === undefined ? {} : { input }),
    });
  const write = (version: string, options: SeedOptions = {}): void =>
    writeFileSync(join(dir, "wechat.py"), version === "broken" ? "def broken(:\n" : seedApp(port, version, options));
  write("one");
  const printed = await wx(["nginx", "s8013", "--full", "--listen", String(proxyPort)]);
  const nginx = await startNginx(dir, printed.stdout, proxyPort);
  const reply = async (): Promise<string> => {
    const sent = await wx(["simulate", "text", "hi", "--url", `http://127.0.0.1:${proxyPort}/wechat${port}`]);
    return /(\w+): hi/.exec(sent.stdout)?.[1] ?? `no reply (exit ${sent.code}): ${sent.stdout} ${sent.stderr}`;
  };
  return {
    sshd,
    dir,
    clientHome,
    port,
    proxyPort,
    server: entry,
    wx,
    write,
    reply,
    stop: async () => {
      await wx(["stop", "s8013"]).catch(() => undefined);
      // An app a postDeploy started by hand (no pid file): by its port, as other test files share the account.
      sshd.run(`ss -Htlnp 'sport = :${port}' | grep -o 'pid=[0-9]*' | cut -d= -f2 | xargs -r kill || true`);
      nginx.kill();
      await sshd.stop();
    },
  };
}
