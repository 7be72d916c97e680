import type { ChildProcess } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lazyStockBashrc, makeQuickWechatVenv, NGINX, seedApp, startNginx } from "../helpers/classroom.js";
import { type LocalServer, localEntry, startLocalServer } from "../helpers/local-server.js";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

if (NGINX === undefined && process.env.CI) throw new Error("nginx is missing in CI: .ci/run should have installed it");

const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the health-gated deploy tests: ${missing}`);

describe.skipIf(missing !== undefined)(
  "health-gated deploys on a stock Debian ~/.bashrc (a local shell, virtualenvwrapper, nginx)",
  () => {
    let machine: LocalServer;
    let clientHome: string;
    let dir: string;
    let port: number;
    let proxyPort: number;
    let nginx: ChildProcess | undefined;
    const env = (): Record<string, string> => ({ HOME: clientHome, WXDEV_TOKEN: "apptoken" });
    const wx = (args: string[]) => runMain(args, { cwd: dir, env: env(), timeoutMs: 60_000 });
    /** The reply to a signed text message sent through nginx, as WeChat would send it. */
    const reply = async (): Promise<string> => {
      const sent = await wx(["simulate", "text", "hi", "--url", `http://127.0.0.1:${proxyPort}/wechat${port}`]);
      return /(\w+): hi/.exec(sent.stdout)?.[1] ?? `no reply (exit ${sent.code}): ${sent.stdout} ${sent.stderr}`;
    };
    const deployVersion = (version: string, args: string[] = []) => {
      const app =
        version === "broken"
          ? "def broken(:\n"
          : seedApp(
              port,
              version,
              version === "flaky" ? { exitsAfter: 0.5 } : version === "dies" ? { exitsOnRequest: true } : {},
            );
      writeFileSync(join(dir, "wechat.py"), app);
      return wx(["deploy", "s8013", ...args]);
    };

    beforeAll(async () => {
      machine = await startLocalServer({ bashrc: lazyStockBashrc() });
      clientHome = temp("wxdev-client-home-");
      dir = temp("wxdev-gate-");
      [port, proxyPort] = await Promise.all([freePort(), freePort()]);
      makeQuickWechatVenv(machine);
      const server = localEntry(machine, `gate-${port}`, {
        appPort: port,
        venv: "wechat",
        start: "python wechat.py",
        checkUrl: `http://127.0.0.1:${proxyPort}/wechat${port}`,
      });
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
      writeFileSync(join(dir, "wechat.py"), seedApp(port, "one"));
      const printed = await wx(["nginx", "s8013", "--full", "--listen", String(proxyPort)]);
      nginx = await startNginx(dir, printed.stdout, proxyPort);
    }, 60_000);

    afterAll(async () => {
      if (dir !== undefined) await wx(["stop", "s8013"]).catch(() => undefined);
      nginx?.kill();
      await machine?.stop();
    });

    it("a first deploy with start + checkUrl brings the app up; the next one's new reply is live through nginx", async () => {
      const first = await wx(["deploy", "s8013", "--yes"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/✓ app started: pid \d+, release \S+, in \d/);
      expect(first.stdout).toContain(`✓ handshake through http://127.0.0.1:${proxyPort}/wechat${port}`);
      expect(await reply()).toBe("one");
      const second = await deployVersion("two", ["--json"]);
      expect(second.code, second.stderr).toBe(0);
      const json = JSON.parse(second.stdout);
      expect(json.app.up).toMatchObject({ start: { pid: expect.any(Number) }, check: { ok: true } });
      // The instance the first deploy started was stopped (by its pid file), not left answering.
      expect(json.app.up.start.stopped).toEqual(expect.any(Number));
      expect(await reply()).toBe("two");
    });

    it("a release with a SyntaxError: exit 1, its traceback shown, the previous release answers again", async () => {
      const before = JSON.parse((await wx(["releases", "s8013", "--json"])).stdout);
      const live = before.releases.find((release: { live: boolean }) => release.live).id as string;
      const broken = await deployVersion("broken");
      expect(broken.code).toBe(1);
      expect(broken.stderr).toContain("SyntaxError");
      expect(broken.stderr).toMatch(
        new RegExp(
          `release \\S+ did not come up: the app exited with status 1.*; switched back to ${live}, which answers again`,
        ),
      );
      expect(await reply()).toBe("two");
      const after = JSON.parse((await wx(["releases", "s8013", "--json"])).stdout);
      expect(after.releases.find((release: { live: boolean }) => release.live).id).toBe(live);
      expect(after.history.at(-1)).toMatchObject({ id: live, reason: "rollback" });
      expect((await wx(["status", "s8013"])).code).toBe(0);
    });

    it("--no-rollback keeps the broken release live: exit 1, and status then exits 1", async () => {
      const kept = await deployVersion("broken", ["--no-rollback"]);
      expect(kept.code).toBe(1);
      expect(kept.stderr).toContain("SyntaxError");
      expect(kept.stderr).toContain("--no-rollback: the failed release stays live");
      expect((await wx(["status", "s8013"])).code).toBe(1);
      expect(await reply()).not.toBe("two");
      // --rollback (by hand) switches back and restarts the app.
      const back = await wx(["deploy", "s8013", "--rollback"]);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toMatch(/✓ app started: pid \d+/);
      expect(await reply()).toBe("two");
    });

    it(
      "postDeploy: workon from the stock ~/.bashrc works; " + "a typo (workn) is exit 1 naming it; kept in deploy.log",
      async () => {
        const good = await deployVersion("three", [
          "--exec",
          "workon wechat && python -c 'import flask; print(\"flask ok\")'",
        ]);
        expect(good.code, good.stderr).toBe(0);
        expect(good.stdout).toContain("flask ok");
        expect(await reply()).toBe("three");
        const typo = await deployVersion("four", ["--exec", "workn wechat && python -c 'import flask'"]);
        expect(typo.code).toBe(1);
        expect(typo.stderr).toContain("workn: command not found");
        expect(typo.stderr).toContain("the app was not restarted: the post-deploy command failed");
        const log = await wx(["logs", "s8013", "--deploy", "-n", "20"]);
        expect(log.stdout).toMatch(
          /^--- wxdev post \S+ release \S+: workon wechat && .* ---\nflask ok\n--- ended: exit 0 ---$/m,
        );
        expect(log.stdout).toContain("--- ended: workn: command not found ---");
      },
    );

    /** Deploys `version`, which fails the gate because its app exits (`how`: the rest of the reason); switched back. */
    async function exitsAndIsSwitchedBack(version: string, how: string): Promise<void> {
      const before = JSON.parse((await wx(["releases", "s8013", "--json"])).stdout).live as string;
      const failed = await deployVersion(version);
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        new RegExp(
          "release \\S+ did not come up: the app \\(pid \\d+\\) exited within [\\d.]+ s after opening its port " +
            `\\(${how}\\); switched back to ${before}, which answers again`,
        ),
      );
      // The release live before answers: four (a test above kept its app from being started).
      expect(await reply()).toBe("four");
    }

    it("an app that exits half a second after opening its port does not pass the gate", async () => {
      // On a busy machine the handshake may come after the app is gone: then it failed, and the exit is named.
      await exitsAndIsSwitchedBack("flaky", "(after answering the handshake|the handshake through \\S+ failed: .*)");
    });

    it("an app gone before it answers the handshake: the exit is named, not only the proxy's 502", async () => {
      await exitsAndIsSwitchedBack("dies", "the handshake through \\S+ failed: HTTP 502: .*");
    });
  },
);
