import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { skipReason } from "./skips.js";
import type { TestSshd } from "./sshd.js";

/** Debian's nginx, when it is installed. */
export const NGINX = ["/usr/sbin/nginx", "/usr/bin/nginx"].find((path) => existsSync(path));
// The test files that import this skip their nginx parts without it: the run's summary says why.
if (NGINX === undefined) skipReason("nginx not found (apt-get install nginx)");

/** As a student sets it up: virtualenvwrapper from ~/.bashrc, a venv `wechat` that sees Debian's flask and xmltodict. */
export function makeWechatVenv(sshd: TestSshd): void {
  sshd.run(
    `export HOME=${sshd.home}; cd; source /usr/share/virtualenvwrapper/virtualenvwrapper.sh >/dev/null 2>&1; ` +
      "[ -d ~/.virtualenvs/wechat ] || mkvirtualenv --system-site-packages wechat >/dev/null 2>&1",
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
