import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

/**
 * The deploy tests' project (a script with its mode, a template in Chinese, dotfiles, a .gitignore'd log and a
 * node_modules left out) in a new folder from `temp`, with server "s8013" whose entry `entry(remote)` makes;
 * `remote` is a new remoteDir name each time.
 */
export function deployProject(
  temp: (prefix: string) => string,
  entry: (remote: string) => Record<string, unknown>,
): { dir: string; remote: string; name: string } {
  const dir = temp("wxdev-project-");
  const remote = `app-${randomBytes(4).toString("hex")}`;
  const name = "s8013";
  writeFileSync(join(dir, "wechat.py"), "print('hello from wechat.py')\n");
  writeFileSync(join(dir, "run.sh"), "#!/bin/sh\necho run\n");
  chmodSync(join(dir, "run.sh"), 0o755);
  mkdirSync(join(dir, "templates"));
  writeFileSync(join(dir, "templates", "index.html"), "<h1>你好</h1>\n");
  writeFileSync(join(dir, ".env.example"), "TOKEN=\n");
  writeFileSync(join(dir, "debug.log"), "noise\n");
  writeFileSync(join(dir, ".gitignore"), "*.log\n");
  mkdirSync(join(dir, "node_modules"));
  writeFileSync(join(dir, "node_modules", "x.js"), "x\n");
  writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { [name]: entry(remote) } }, null, 2));
  return { dir, remote, name };
}
