import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { freePort } from "../helpers/net.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";
import { seedApp } from "../helpers/classroom.js";
import type { ServerConfig } from "../../src/core/config/file.js";
import { deploy } from "../../src/core/deploy/deploy.js";
import { type Connection, connect } from "../../src/core/remote/ssh/connection.js";
import { ConnectionLostError, type RemoteShell } from "../../src/core/remote/shell.js";

const temp = tempDirs();

const missing = sshdMissing();
if (missing) console.warn(`skipping the cut health-gated deploy test: ${missing}`);

/** The gate's switch back over a connection that drops (the rest of the gate: test/remote/gate.test.ts). */
describe.skipIf(missing !== undefined)(
  "a health-gated deploy whose connection is cut as it switches back (real sshd)",
  () => {
    let sshd: TestSshd;
    let clientHome: string;
    let dir: string;
    let port: number;
    let server: ServerConfig;
    const env = (): Record<string, string> => ({ HOME: clientHome, WXDEV_TOKEN: "apptoken" });
    const wx = (args: string[]) => runMain(args, { cwd: dir, env: env(), timeoutMs: 60_000 });

    beforeAll(async () => {
      sshd = await startSshd();
      clientHome = temp("wxdev-client-home-");
      dir = temp("wxdev-gate-");
      port = await freePort();
      sshd.run(`cd ${sshd.home} && /usr/bin/python3 -m venv --system-site-packages --without-pip .virtualenvs/wechat`);
      server = serverEntry(sshd, `gate-${port}`, {
        appPort: port,
        venv: "wechat",
        start: "python wechat.py",
        // Straight to the app: the cut, not the proxy, is what this file tests.
        checkUrl: `http://127.0.0.1:${port}/wechat${port}`,
      }) as unknown as ServerConfig;
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
      writeFileSync(join(dir, "wechat.py"), seedApp(port, "one"));
    }, 60_000);

    afterAll(async () => {
      if (dir !== undefined) await wx(["stop", "s8013"]).catch(() => undefined);
      await sshd?.stop();
    });

    it("a first deploy through the real sshd brings the app up (the release to switch back to)", async () => {
      const first = await wx(["deploy", "s8013", "--yes"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toMatch(/✓ app started: pid \d+, release \S+, in \d/);
    });

    it("a cut as the gate switches back: wxdev asks the server again what is live, or says either may be", async () => {
      writeFileSync(join(dir, "wechat.py"), "def broken(:\n");
      const opened: Connection[] = [];
      /** A real connection, closed the moment the switch back is sent: the script may or may not finish. */
      const cutAtSwitchBack = async (): Promise<RemoteShell> => {
        const connection = await connect(server, { home: clientHome });
        opened.push(connection);
        return {
          exec: (command, options) => {
            const running = connection.shell.exec(command, options);
            if (command.includes(" rollback >> ")) setImmediate(() => connection.close());
            return running;
          },
        };
      };
      const reconnect = async (): Promise<RemoteShell> => {
        const connection = await connect(server, { home: clientHome });
        opened.push(connection);
        return connection.shell;
      };
      const app = { port, check: { url: server.checkUrl ?? "", token: "apptoken" } };
      const attempt = (options: Partial<Parameters<typeof deploy>[0]>) =>
        deploy({ shell: cutAtSwitchBack, server, root: dir, app, ...options }).catch((caught: unknown) => caught);
      try {
        const unknown = await attempt({});
        expect(unknown).toBeInstanceOf(ConnectionLostError);
        expect((unknown as Error).message).toMatch(
          /lost during the switch back to (\S+) \((\S+) did not come up\); either \2 or \1 is live: the switch was/,
        );
        let listing = JSON.parse((await wx(["releases", "s8013", "--json"])).stdout);
        expect(listing.history.at(-1).id).toBe(listing.live);
        writeFileSync(join(dir, "wechat.py"), "def broken_again(:\n");
        const asked = await attempt({ reconnect });
        expect(asked).toBeInstanceOf(ConnectionLostError);
        listing = JSON.parse((await wx(["releases", "s8013", "--json"])).stdout);
        expect((asked as Error).message).toMatch(
          new RegExp(
            "lost during the switch back to \\S+ \\(\\S+ did not come up\\); " +
              `reconnected, the server says release ${listing.live} is live$`,
          ),
        );
        expect(listing.history.at(-1).id).toBe(listing.live);
      } finally {
        for (const connection of opened) connection.close();
      }
    });
  },
);
