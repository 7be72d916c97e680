import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { type Account, serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = sshdMissing();
if (missing) console.warn(`skipping the shared-server tests: ${missing}`);

/** A shell command's output as root, trimmed (the test's own look at the server, beside both accounts). */
const asRoot = (command: string): string => execFileSync("bash", ["-c", command], { encoding: "utf8" }).trim();
const isAlive = (pid: number): boolean => asRoot(`ps -o stat= -p ${pid} | grep -v Z || echo gone`) !== "gone";

describe.skipIf(missing !== undefined)(
  "a classmate with an account on the same server (real sshd, two accounts)",
  () => {
    let sshd: TestSshd;
    let mate: Account;
    let clientHome: string;
    let dir: string;
    let port: number;
    const remote = `shared-${randomBytes(3).toString("hex")}`;
    const inTmp = (): string => `/tmp/wxdev-${randomBytes(4).toString("hex")}`;
    const made: string[] = [];
    const state = (): string => `${sshd.home}/.${remote}.wxdev`;
    const wx = (args: string[]) => runMain(args, { cwd: dir, env: { HOME: clientHome }, timeoutMs: 30_000 });
    const answers = (): Promise<boolean> =>
      fetch(`http://127.0.0.1:${port}/`).then(
        () => true,
        () => false,
      );
    /** A server entry for the victim's app, in `remoteDir`. */
    const app = (remoteDir: string) => ({
      ...serverEntry(sshd, remote, { appPort: port, start: `python3 -m http.server ${port} --bind 127.0.0.1` }),
      remoteDir,
      postDeploy: "echo posted",
    });
    const useServers = (servers: Record<string, unknown>): void =>
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers }));

    beforeAll(async () => {
      // Every session starts with umask 000: wxdev's files must be the account's alone whatever it is.
      sshd = await startSshd({ account: "v", classmate: true, umask: "000" });
      mate = sshd.classmate!;
      clientHome = temp("wxdev-client-home-");
      dir = temp("wxdev-shared-");
      port = await freePort();
      writeFileSync(join(dir, "index.html"), "<h1>the victim's app</h1>\n");
      useServers({ s8013: app(`~/${remote}`) });
      // As on the class's server: homes are 755, so only the modes of what wxdev makes keep classmates out.
      asRoot(`chmod 755 ${sshd.home}`);
      const deployed = await wx(["deploy", "s8013", "--yes"]);
      expect(deployed.code, deployed.stderr).toBe(0);
      await fetch(`http://127.0.0.1:${port}/?signature=abc&timestamp=1&nonce=2`);
    }, 60_000);

    afterAll(async () => {
      if (dir !== undefined) await wx(["stop", "s8013"]).catch(() => undefined);
      for (const path of made) asRoot(`rm -rf -- ${path} ${path.replace(/([^/]+)$/, ".$1.wxdev")}`);
      await sshd?.stop();
    });

    it("all wxdev made on the server is the account's alone: a classmate reads neither log nor release", () => {
      const modes = asRoot(
        `cd ${state()} && stat -c '%n %a' . releases releases/* releases/history releases/.lock ` +
          "app.log app.pid deploy.log",
      );
      for (const line of modes.split("\n")) {
        const [name, mode] = line.split(" ");
        if (name === "releases/history" || name === "releases/.lock" || name?.endsWith(".log") || name === "app.pid")
          expect(`${name} ${mode}`).toBe(`${name} 600`);
        else expect(`${name} ${mode}`).toBe(`${name} 700`);
      }
      expect(asRoot(`cat ${state()}/app.log`)).toContain("GET /");
      const tryRead = (command: string): string => mate.run(`${command} 2>&1 || echo refused`);
      expect(tryRead(`cat ${state()}/app.log`)).toContain("refused");
      expect(tryRead(`ls ${state()}/releases`)).toContain("refused");
      expect(tryRead(`cat ${sshd.home}/${remote}/index.html`)).toContain("refused");
    });

    it("app.pid naming a classmate's process, pid 1 or a reused pid: never claimed, never signalled", async () => {
      const pidFile = `${state()}/app.pid`;
      const original = asRoot(`cat ${pidFile}`);
      const theirs = Number(mate.run("setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $!").trim());
      const mine = Number(sshd.run("setsid sleep 300 > /dev/null 2>&1 < /dev/null & echo $!").trim());
      const startOf = (pid: number): string => asRoot(`cut -d' ' -f22 /proc/${pid}/stat`);
      const planted = [
        { line: `${theirs}`, reason: `uid ${mate.uid}, another account` },
        { line: `${theirs} ${startOf(theirs)}`, reason: "another account" },
        { line: "1", reason: "never an app's pid" },
        { line: `${mine} ${Number(startOf(mine)) + 1}`, reason: "started at another time: a reused pid" },
      ];
      try {
        for (const { line, reason } of planted) {
          asRoot(`printf '%s\\n' '${line}' > ${pidFile} && chown ${sshd.user}: ${pidFile}`);
          const status = await wx(["status", "s8013", "--json"]);
          const found = JSON.parse(status.stdout).status;
          expect(found).toMatchObject({ running: false, foreign: { pid: line.split(" ")[0] } });
          // What answers on the port is this account's app (started before the pid file was planted): not claimed.
          expect(found.serving).toMatchObject({ managed: false });
          expect(found.serving.pid).not.toBe(theirs);
          expect(found.foreign.reason).toContain(reason);
          expect(found.pid).toBeUndefined();
          const text = await wx(["status", "s8013"]);
          expect(text.stdout).toMatch(/pid file\s+names pid \d+, not the app wxdev started/);
          asRoot(`printf '%s\\n' '${line}' > ${pidFile} && chown ${sshd.user}: ${pidFile}`);
          const stop = await wx(["stop", "s8013"]);
          expect(stop.code).toBe(1);
          expect(stop.stderr).toContain(`app.pid names pid ${line.split(" ")[0]}, which is not the app wxdev started`);
          expect(stop.stderr).toContain("nothing was stopped");
          expect(stop.stdout).not.toContain("stopped s8013");
          expect(isAlive(theirs)).toBe(true);
          expect(isAlive(mine)).toBe(true);
          expect(await answers()).toBe(true);
        }
      } finally {
        process.kill(theirs);
        process.kill(mine);
        asRoot(`printf '%s\\n' '${original}' > ${pidFile} && chown ${sshd.user}: ${pidFile}`);
      }
      const stopped = await wx(["stop", "s8013"]);
      expect(stopped.code, stopped.stderr).toBe(0);
      expect(stopped.stdout).toContain(`stopped s8013 (pid ${original.split(" ")[0]})`);
      expect(await answers()).toBe(false);
    });

    it("a classmate's state folder in /tmp with links to the victim's files: refused, nothing written", async () => {
      const remoteDir = inTmp();
      made.push(remoteDir);
      const theirState = remoteDir.replace(/([^/]+)$/, ".$1.wxdev");
      sshd.run(`printf 'precious 1' > ~/precious1; printf 'precious 2' > ~/precious2; mkdir ${remoteDir}`);
      mate.run(
        `mkdir -p ${theirState}/releases && chmod 777 ${theirState} ${theirState}/releases && ` +
          `ln -s ${sshd.home}/precious1 ${theirState}/releases/.lock && ` +
          `ln -s ${sshd.home}/precious2 ${theirState}/app.log`,
      );
      useServers({ s8013: app(`~/${remote}`), tmp: app(remoteDir) });
      const refusal = `refusing the server's folder: ${theirState} belongs to another account (uid ${mate.uid})`;
      for (const command of [
        ["deploy", "tmp", "--yes"],
        ["start", "tmp"],
        ["status", "tmp"],
        ["logs", "tmp"],
      ]) {
        const result = await wx(command);
        expect(result.code, `${command.join(" ")}: ${result.stderr}`).toBe(1);
        expect(result.stderr).toContain(refusal);
        expect(result.stderr.trim().split("\n")).toHaveLength(1);
      }
      expect(sshd.run("cat ~/precious1; echo; cat ~/precious2")).toBe("precious 1\nprecious 2");
      expect(asRoot(`ls -A ${theirState}/releases`)).toBe(".lock");
    });

    it("a classmate's live path, or a state folder others may write: refused; a fresh /tmp one is ours", async () => {
      const taken = inTmp();
      const open = inTmp();
      const fresh = inTmp();
      made.push(taken, open, fresh);
      mate.run(`mkdir ${taken} && echo 'print("theirs")' > ${taken}/app.py`);
      sshd.run(`mkdir -m 777 ${open.replace(/([^/]+)$/, ".$1.wxdev")}`);
      useServers({ taken: app(taken), open: app(open), fresh: { ...app(fresh), start: undefined } });
      const deployTaken = await wx(["deploy", "taken", "--yes"]);
      expect(deployTaken.code).toBe(1);
      expect(deployTaken.stderr).toContain(`${taken} belongs to another account (uid ${mate.uid})`);
      const deployOpen = await wx(["deploy", "open", "--yes"]);
      expect(deployOpen.code).toBe(1);
      expect(deployOpen.stderr).toContain("is writable by other accounts");
      const deployFresh = await wx(["deploy", "fresh", "--yes"]);
      expect(deployFresh.code, deployFresh.stderr).toBe(0);
      const freshState = fresh.replace(/([^/]+)$/, ".$1.wxdev");
      expect(asRoot(`stat -c '%U %a' ${freshState} ${freshState}/releases`)).toBe(`${sshd.user} 700\n${sshd.user} 700`);
      expect(mate.run(`ls ${fresh}/ 2>&1 || echo refused`)).toContain("refused");
    });
  },
);
