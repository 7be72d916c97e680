import { randomBytes } from "node:crypto";
import { existsSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { connect } from "../../src/core/remote/ssh/connection.js";
import type { ServerConfig } from "../../src/core/config/file.js";
import { type Blackhole, startBlackhole } from "../helpers/blackhole.js";
import { runMain } from "../helpers/main.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = sshdMissing();
if (missing) console.warn(`skipping the dropped-connection tests: ${missing}`);

describe.skipIf(missing !== undefined)("an SSH connection that drops without a word (a relay gone silent)", () => {
  let sshd: TestSshd;
  let clientHome: string;
  let relay: Blackhole | undefined;

  beforeAll(async () => {
    sshd = await startSshd();
    clientHome = temp("wxdev-client-home-");
  }, 30_000);
  afterEach(async () => relay?.close());
  afterAll(async () => sshd?.stop());

  /** A project whose server "via" goes through a fresh relay and "direct" does not; keepalives every second. */
  async function project(extra: Record<string, unknown> = {}): Promise<{ dir: string; remote: string }> {
    relay = await startBlackhole(sshd.port);
    const dir = temp("wxdev-dropped-");
    const remote = `dropped-${randomBytes(4).toString("hex")}`;
    writeFileSync(join(dir, "wechat.py"), "print('hi')\n");
    const direct = serverEntry(sshd, remote, { keepalive: 1, ...extra });
    writeFileSync(
      join(dir, "wxdev.config.json"),
      JSON.stringify({ servers: { via: { ...direct, port: relay.port }, direct } }),
    );
    return { dir, remote };
  }
  const wx = (dir: string, args: string[]) => runMain(args, { cwd: dir, env: { HOME: clientHome }, timeoutMs: 40_000 });
  /** Waits until `flag` exists in the account's home (the remote command got that far), then drops the relay. */
  async function dropOnceFlagged(flag: string): Promise<void> {
    for (let i = 0; i < 200 && !existsSync(join(sshd.home, flag)); i++)
      await new Promise((resolve) => setTimeout(resolve, 50));
    relay?.drop();
  }

  it("a deploy fails naming the step and what is live; the lock it held lets the next deploy in", async () => {
    const flag = `flag-${randomBytes(3).toString("hex")}`;
    const { dir } = await project({ postDeploy: `touch ~/${flag}; sleep 30` });
    const deploying = wx(dir, ["deploy", "via", "--yes", "--json"]);
    await dropOnceFlagged(flag);
    const result = await deploying;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/connection to via lost during the post-deploy command; release \S+ is live/);
    // The dropped session still holds the lock as far as sshd knows; it lets go once its heartbeat stops.
    const next = await wx(dir, ["deploy", "direct", "--yes", "--no-post"]);
    expect(next.code, next.stderr).toBe(0);
  });

  it("wxdev exec fails instead of waiting for ever", async () => {
    const flag = `flag-${randomBytes(3).toString("hex")}`;
    const { dir, remote } = await project();
    sshd.run(`mkdir ~/${remote}`);
    const running = wx(dir, ["exec", "via", "--yes", "--", `touch ~/${flag}; sleep 30`]);
    await dropOnceFlagged(flag);
    const result = await running;
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toContain("connection to via lost");
  });

  it("every connection sends keepalives: every 15 s by default, as the server's keepalive says, or none", async () => {
    const base = serverEntry(sshd, "unused") as unknown as ServerConfig;
    const interval = async (server: ServerConfig): Promise<number> => {
      const connection = await connect(server, { home: clientHome, acceptNewHostKey: true });
      try {
        return (connection.client as unknown as { config: { keepaliveInterval: number } }).config.keepaliveInterval;
      } finally {
        connection.close();
      }
    };
    expect(await interval(base)).toBe(15_000);
    expect(await interval({ ...base, keepalive: 2 })).toBe(2_000);
    expect(await interval({ ...base, keepalive: 0 })).toBe(0);
  });
});
