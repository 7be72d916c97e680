import { createHash, randomBytes } from "node:crypto";
import { chmodSync, closeSync, mkdirSync, openSync, readdirSync, writeFileSync, writeSync } from "node:fs";
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

/**
 * Writes `mib` MiB of random bytes to `path` a MiB at a time and returns their SHA-256 (hex): a test process that
 * held the whole buffer would keep it until a collection, and each of its later spawns copies what it holds.
 */
export function writeRandomFile(path: string, mib: number): string {
  const hash = createHash("sha256");
  const file = openSync(path, "w");
  try {
    for (let i = 0; i < mib; i++) {
      const piece = randomBytes(1024 * 1024);
      writeSync(file, piece);
      hash.update(piece);
    }
  } finally {
    closeSync(file);
  }
  return hash.digest("hex");
}

/**
 * The releases of `remote` (a remoteDir `~/<remote>`) in the making on a server whose account's home is `home` on
 * this machine: read from the file system (a poll that started a shell each time would cost more than the deploy).
 */
export function partialReleases(home: string, remote: string): number {
  try {
    return readdirSync(join(home, `.${remote}.wxdev`, "releases")).filter((name) => name.endsWith(".partial")).length;
  } catch {
    return 0;
  }
}
