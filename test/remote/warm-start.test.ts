import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Classroom, NGINX, openClassroom, seedApp } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the warm-start tests: ${missing}`);

/** The seed app, its reply's version read from a project module (replies.py) instead of the script. */
function appWithModule(port: number): string {
  return seedApp(port, "unused")
    .replace("import xmltodict\n", "import xmltodict\nimport replies\n")
    .replace('"unused: "', 'replies.VERSION + ": "');
}

describe.skipIf(missing !== undefined)(
  "warm starts: the next start becomes a spare Python made after the last one (a local shell, nginx, Flask)",
  () => {
    let room: Classroom;
    const state = () => `~/.${room.server.remoteDir.replace(/^~\//, "")}.wxdev`;
    const deployed = async (args: string[] = []) => {
      const result = await room.wx(["deploy", "s8013", "--yes", "--json", ...args]);
      return { ...result, json: JSON.parse(result.stdout) };
    };
    /** The spare's pid when one waits (its pid file names a live process), else undefined. */
    const spare = (): string | undefined => {
      const pid = room.sshd.run(`cat ${state()}/warm.pid 2>/dev/null | cut -d' ' -f1 || true`).trim();
      return pid !== "" && running(pid) === "alive" ? pid : undefined;
    };
    /** Whether a process runs (not a zombie: nothing may reap an orphan here). */
    const running = (pid: string | undefined) =>
      room.sshd
        .run(
          `s=$(cat /proc/${pid}/stat 2>/dev/null) && s=\${s##*) } && [ "\${s%% *}" != Z ] && echo alive || echo gone`,
        )
        .trim();
    const module = (version: string) => writeFileSync(join(room.dir, "replies.py"), `VERSION = "${version}"\n`);

    beforeAll(async () => {
      room = await openClassroom(temp, { files: ["wechat.py", "replies.py"] }, "w", { local: true });
    }, 60_000);
    afterAll(async () => room?.stop());

    it("the new release's code answers, a project module's change too; the spare is used and renewed", async () => {
      writeFileSync(join(room.dir, "wechat.py"), appWithModule(room.port));
      module("one");
      const first = await deployed();
      expect(first.code, first.stderr).toBe(0);
      expect(first.json.app.up.start.warm).toBeUndefined();
      expect(await room.reply()).toBe("one");
      const waiting = spare();
      expect(waiting).toBeDefined();
      // Only replies.py changes: the spare imported flask and xmltodict, never the project's own module.
      module("two");
      const second = await deployed();
      expect(second.code, second.stderr).toBe(0);
      expect(second.json.app.up.start).toMatchObject({ warm: true, pid: Number(waiting) });
      expect(await room.reply()).toBe("two");
      const status = JSON.parse((await room.wx(["status", "s8013", "--json"])).stdout);
      expect(status.status).toMatchObject({ running: true, pid: Number(waiting), release: second.json.release });
      expect(spare()).not.toBe(waiting);
      expect(spare()).toBeDefined();
    });

    it("the start's environment is the app's: a Token set with wxdev env after the spare was made is read", async () => {
      room.write("three", { token: "environment" });
      const set = await room.wx(["env", "s8013", "set", "WECHAT_TOKEN"], {}, "apptoken\n");
      expect(set.code, set.stderr).toBe(0);
      const done = await deployed();
      expect(done.code, done.stderr).toBe(0);
      expect(done.json.app.up.start.warm).toBe(true);
      expect(await room.reply()).toBe("three");
    });

    it("a SyntaxError through a spare: exit status 1 and the traceback as python prints it, the last release back", async () => {
      room.write("broken");
      const broken = await deployed();
      expect(broken.code).toBe(1);
      expect(broken.json.app.down.reason).toMatch(/the app exited with status 1 right after starting/);
      const tail = broken.json.app.down.logTail.join("\n");
      expect(tail).toContain("SyntaxError");
      expect(tail).not.toMatch(/runpy|<string>/);
      expect(await room.reply()).toBe("three");
    });

    it("a changed start command is never a spare's: a new Python starts", async () => {
      const waiting = spare();
      expect(waiting).toBeDefined();
      const config = join(room.dir, "wxdev.config.json");
      const json = JSON.parse(readFileSync(config, "utf8"));
      json.servers.s8013.start = "python wechat.py --verbose";
      writeFileSync(config, JSON.stringify(json));
      const restarted = JSON.parse((await room.wx(["restart", "s8013", "--json"])).stdout);
      expect(restarted).toMatchObject({ release: expect.any(String) });
      expect(restarted.warm).toBeUndefined();
      expect(running(waiting)).toBe("gone");
      expect(await room.reply()).toBe("three");
    });

    it("stop leaves no spare; warmStart false starts no spare at all", async () => {
      expect(spare()).toBeDefined();
      const pid = spare();
      expect((await room.wx(["stop", "s8013"])).code).toBe(0);
      expect(spare()).toBeUndefined();
      expect(running(pid)).toBe("gone");
      const config = join(room.dir, "wxdev.config.json");
      const json = JSON.parse(readFileSync(config, "utf8"));
      json.servers.s8013.warmStart = false;
      writeFileSync(config, JSON.stringify(json));
      expect((await room.wx(["start", "s8013"])).code).toBe(0);
      expect(await room.reply()).toBe("three");
      expect(spare()).toBeUndefined();
    });
  },
);
