import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Classroom, NGINX, openClassroom } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the prepared-start tests: ${missing}`);

describe.skipIf(missing !== undefined)(
  "a deploy's start shell opens while the release is built (a local shell, nginx, Flask)",
  () => {
    let room: Classroom;
    const live = () => `~/${room.server.remoteDir.replace(/^~\//, "")}`;
    const deployed = async () => {
      const result = await room.wx(["deploy", "s8013", "--yes", "--json"]);
      return { ...result, json: result.stdout === "" ? undefined : JSON.parse(result.stdout) };
    };
    const status = async () => JSON.parse((await room.wx(["status", "s8013", "--json"])).stdout).status;

    beforeAll(async () => {
      // Cold starts: a new Python in the shell's own working directory, the case where an old one would show.
      room = await openClassroom(temp, { warmStart: false }, "p", { local: true });
      const first = await deployed();
      expect(first.code, first.stderr).toBe(0);
      // Every interactive shell wxdev opens says which release the live link led to when it read ~/.bashrc.
      room.sshd.run(`printf '%s\\n' 'readlink ${live()} >> ~/saw-live' >> ~/.bashrc`);
    }, 60_000);
    afterAll(async () => room?.stop());

    it("~/.bashrc is read while the last release is live; the app then runs in the new one", async () => {
      const before = (await status()).release;
      room.sshd.run("rm -f ~/saw-live");
      room.write("two");
      const second = await deployed();
      expect(second.code, second.stderr).toBe(0);
      const saw = room.sshd.run("cat ~/saw-live").trim().split("\n");
      expect(saw).toHaveLength(1);
      expect(saw[0]).toMatch(new RegExp(`/${before}$`));
      expect(second.json.release).not.toBe(before);
      expect(await room.reply()).toBe("two");
      const pid = second.json.app.up.start.pid;
      expect(room.sshd.run(`readlink /proc/${pid}/cwd`).trim()).toMatch(new RegExp(`/${second.json.release}$`));
    });

    it("a deploy that fails before its switch starts nothing: the app runs on, the waiting shell is gone", async () => {
      const running = await status();
      const releases = `~/.${room.server.remoteDir.replace(/^~\//, "")}.wxdev/releases`;
      room.sshd.run(`chmod 500 ${releases}`);
      room.write("three");
      const failed = await deployed().finally(() => room.sshd.run(`chmod 700 ${releases}`));
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(/uploading/);
      expect(await room.reply()).toBe("two");
      expect(await status()).toMatchObject({ running: true, pid: running.pid, release: running.release });
      expect(room.sshd.run(`pgrep -u ${room.sshd.user} -f 'wx_g[o]' || true`).trim()).toBe("");
    });

    it("a venv inside the project is read after the switch: the app runs in the new release", async () => {
      const config = `${room.dir}/wxdev.config.json`;
      const { readFileSync, writeFileSync } = await import("node:fs");
      const json = JSON.parse(readFileSync(config, "utf8"));
      room.sshd.run(`ln -sfn ~/.virtualenvs/wechat ${live()}/venv`);
      json.servers.s8013.venv = "./venv";
      writeFileSync(config, JSON.stringify(json));
      room.sshd.run("rm -f ~/saw-live");
      room.write("four");
      const done = await deployed();
      expect(done.code, done.stderr).toBe(0);
      expect(room.sshd.run("cat ~/saw-live").trim()).toMatch(new RegExp(`/${done.json.release}$`));
      expect(await room.reply()).toBe("four");
    });
  },
);
