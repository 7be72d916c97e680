import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RemoteShell } from "../../src/core/remote/shell.js";
import { connect } from "../../src/core/remote/ssh/connection.js";
import { setEnv } from "../../src/core/remote/app/env.js";
import type { ServerConfig } from "../../src/core/config/file.js";
import { type Classroom, NGINX, openClassroom } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the app-environment tests: ${missing}`);

describe.skipIf(missing !== undefined)(
  "wxdev env: the app's Token on the server, set once, loaded by start (a local shell, nginx, Flask)",
  () => {
    let room: Classroom;
    const state = (): string => `~/.room-${room.port}.wxdev`;

    beforeAll(async () => {
      room = await openClassroom(temp, {}, undefined, { local: true });
      // The app reads its Token from WECHAT_TOKEN, as wxdev init's does.
      room.write("one", { token: "environment" });
    }, 60_000);
    afterAll(async () => room?.stop());

    it("set takes the value from stdin, keeps it in a 0600 file, never prints it; check and list say so", async () => {
      expect((await room.wx(["env", "s8013", "list", "--yes"])).stdout).toContain("no variables in the app's env file");
      const unset = await room.wx(["env", "s8013", "check", "WECHAT_TOKEN"]);
      expect(unset.code).toBe(1);
      expect(unset.stderr).toContain("WECHAT_TOKEN is not set on s8013: set it with wxdev env s8013 set WECHAT_TOKEN");
      const set = await room.wx(["env", "s8013", "set", "WECHAT_TOKEN"], {}, "apptoken\n");
      expect(set.code, set.stderr).toBe(0);
      expect(set.stdout).toContain("WECHAT_TOKEN set on s8013: ap****en (8 chars)");
      expect(set.stdout + set.stderr).not.toContain("apptoken");
      expect(room.sshd.run(`stat -c %a ${state()}/env`).trim()).toBe("600");
      expect(room.sshd.run(`cat ${state()}/env`)).toBe("WECHAT_TOKEN=apptoken\n");
      const listed = await room.wx(["env", "s8013", "list"]);
      expect(listed.stdout).toMatch(/^WECHAT_TOKEN\s+ap\*\*\*\*en \(8 chars\)$/m);
      const same = await room.wx(["env", "s8013", "check", "WECHAT_TOKEN"]);
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toContain("WECHAT_TOKEN on s8013 (from the app's env file) matches your Token (WXDEV_TOKEN)");
      const other = await room.wx(["env", "s8013", "check", "WECHAT_TOKEN"], { WXDEV_TOKEN: "otherToken1" });
      expect(other.code).toBe(1);
      expect(other.stderr).toContain("WECHAT_TOKEN on s8013 (from the app's env file) differs from your Token");
    });

    it("start, the deploy's start and exec get it: the app answers the signed handshake", async () => {
      const deployed = await room.wx(["deploy", "s8013", "--yes"]);
      expect(deployed.code, deployed.stderr).toBe(0);
      expect(deployed.stdout).toMatch(/✓ handshake through/);
      expect(await room.reply()).toBe("one");
      const exec = await room.wx(["exec", "s8013", "--", 'printf %s "$WECHAT_TOKEN" | wc -c']);
      expect(exec.stdout.trim()).toBe("8");
    });

    it("the value goes on stdin, never on a command line the server's ps would show", async () => {
      const connection = await connect(room.server as unknown as ServerConfig, { home: room.clientHome });
      const commands: string[] = [];
      const watched: RemoteShell = {
        exec: (command, options) => {
          commands.push(command);
          return connection.shell.exec(command, options);
        },
      };
      try {
        await setEnv(watched, room.server.remoteDir, "SECOND_SECRET", "s3cretValue42");
      } finally {
        connection.close();
      }
      expect(commands.length).toBeGreaterThan(0);
      for (const command of commands) expect(command).not.toContain("s3cretValue42");
      expect(room.sshd.run(`cat ${state()}/env`)).toBe("WECHAT_TOKEN=apptoken\nSECOND_SECRET=s3cretValue42\n");
      const removed = await room.wx(["env", "s8013", "unset", "SECOND_SECRET"]);
      expect(removed.stdout).toContain("SECOND_SECRET removed on s8013");
      expect(room.sshd.run(`cat ${state()}/env`)).toBe("WECHAT_TOKEN=apptoken\n");
    });

    it("a 403 from the new release stops at the first try: which Token wxdev signed with, where the app reads its own", async () => {
      const changed = await room.wx(["env", "s8013", "set", "WECHAT_TOKEN"], {}, "serverToken9\n");
      expect(changed.code, changed.stderr).toBe(0);
      room.write("two", { token: "environment" });
      const started = Date.now();
      const refused = await room.wx(["deploy", "s8013", "--json"]);
      const seconds = (Date.now() - started) / 1000;
      expect(refused.code).toBe(1);
      const json = JSON.parse(refused.stdout);
      expect(json.app.down.check).toMatchObject({ ok: false, status: 403, tries: 1 });
      expect(json.app.down.reason).toContain(
        "HTTP 403: the server rejected the signature. wxdev signed with Token ap****en (8 chars) from WXDEV_TOKEN",
      );
      expect(seconds).toBeLessThan(10);
      room.write("three", { token: "environment" });
      const text = await room.wx(["deploy", "s8013"]);
      expect(text.stderr).toContain(
        "the app on the server reads its own Token from WECHAT_TOKEN: set it once with wxdev env s8013 set" +
          " WECHAT_TOKEN (then wxdev restart s8013), compare the two with wxdev env s8013 check WECHAT_TOKEN",
      );
      expect(text.stderr).not.toContain("--- the app's log");
      expect(text.stdout + text.stderr).not.toContain("serverToken9");
      // The Token put right, a restart's handshake is the live release's new verdict: --rollback may pick it again.
      expect((await room.wx(["env", "s8013", "set", "WECHAT_TOKEN"], {}, "apptoken\n")).code).toBe(0);
      expect((await room.wx(["restart", "s8013"])).code).toBe(0);
      const listed = JSON.parse((await room.wx(["releases", "s8013", "--json"])).stdout);
      const live = listed.releases.find((release: { live: boolean }) => release.live);
      expect(live.gate).toBe("passed");
    });
  },
);
