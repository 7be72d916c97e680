import { type ChildProcess, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { NGINX, type Classroom, openClassroom } from "../helpers/classroom.js";
import { BIN, cleanEnv } from "../helpers/cli.js";
import { sshdMissing } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = sshdMissing() ?? (NGINX === undefined ? "nginx not found" : undefined);

/** `wxdev deploy s8013 --watch` running as the built binary, its output collected as it comes. */
interface Watching {
  child: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  /** Resolves once `pattern` appears in the output after `from` characters (stdout, or stderr). */
  waitFor(pattern: RegExp, options?: { from?: number; stream?: "stdout" | "stderr"; ms?: number }): Promise<string>;
  exited: Promise<number | null>;
}

function watch(room: Classroom): Watching {
  const child = spawn(process.execPath, [BIN, "deploy", "s8013", "--watch", "--yes"], {
    cwd: room.dir,
    env: cleanEnv({ HOME: room.clientHome, WXDEV_TOKEN: "apptoken" }),
    stdio: ["ignore", "pipe", "pipe"],
  });
  let stdout = "";
  let stderr = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
  child.stderr?.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
  const exited = new Promise<number | null>((resolve) => child.on("close", resolve));
  return {
    child,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    async waitFor(pattern, { from = 0, stream = "stdout", ms = 30_000 } = {}) {
      const deadline = Date.now() + ms;
      for (;;) {
        const text = (stream === "stdout" ? stdout : stderr).slice(from);
        const match = pattern.exec(text);
        if (match) return match[0];
        if (Date.now() > deadline || child.exitCode !== null)
          throw new Error(`no ${pattern} in ${stream}:\n${stdout}\n--- stderr:\n${stderr}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
  };
}

const LIVE = /\d\d:\d\d:\d\d wechat\.py → live in \d+\.\d\d s ✓ answers/;

describe.skipIf(missing !== undefined)(
  "wxdev deploy --watch against a real sshd, nginx and the class's Flask app",
  () => {
    let room: Classroom;
    let watching: Watching;
    beforeAll(async () => {
      // An account of its own: the dropped-connection step kills its sshd sessions.
      room = await openClassroom(temp, {}, "w");
    }, 60_000);
    afterAll(async () => {
      watching?.child.kill("SIGKILL");
      await room?.stop();
    });

    it("deploys, then each save is live with one line; the app's log streams beneath", async () => {
      watching = watch(room);
      await watching.waitFor(/watching \d+ file\(s\)/, { stream: "stderr", ms: 60_000 });
      expect(await room.reply()).toBe("one");
      const from = watching.stdout().length;
      room.write("two");
      await watching.waitFor(LIVE, { from });
      expect(await room.reply()).toBe("two");
      // The app's log (the Flask dev server's request lines) comes beneath, as `logs -f` prints it.
      await watching.waitFor(/POST \/wechat\d+/, { from });
    }, 90_000);

    it("a burst of saves is one deploy of the last content", async () => {
      const from = watching.stdout().length;
      for (const version of ["three", "four", "five"]) room.write(version);
      await watching.waitFor(LIVE, { from });
      // Quiet for a moment: no second deploy follows the burst.
      await new Promise((resolve) => setTimeout(resolve, 1500));
      expect(watching.stdout().slice(from).match(new RegExp(LIVE, "g"))).toHaveLength(1);
      expect(await room.reply()).toBe("five");
    }, 60_000);

    it("a save that changes nothing restarts nothing", async () => {
      const status = (): string => room.sshd.run(`cat ~/.room-${room.port}.wxdev/app.pid`);
      const before = status();
      const from = watching.stdout().length;
      room.write("five");
      await watching.waitFor(/wechat\.py → no change: nothing uploaded, the app left alone/, { from });
      expect(status()).toBe(before);
    }, 60_000);

    it("a broken save is switched back: the last good release keeps answering", async () => {
      const from = watching.stdout().length;
      room.write("broken");
      const failed = await watching.waitFor(/wechat\.py ✗ did not come up[^\n]*\n(.*\n)*?.*switched back to \S+/, {
        from,
      });
      expect(failed).toMatch(/SyntaxError/);
      expect(await room.reply()).toBe("five");
    }, 60_000);

    it("a dropped connection reconnects, and the next save goes live", async () => {
      const fromErr = watching.stderr().length;
      room.sshd.run("pkill -KILL -x sshd -u $(id -u) || true");
      await watching.waitFor(/reconnecting/, { stream: "stderr", from: fromErr });
      await watching.waitFor(/reconnected to s8013/, { stream: "stderr", from: fromErr });
      const from = watching.stdout().length;
      room.write("six");
      await watching.waitFor(LIVE, { from });
      expect(await room.reply()).toBe("six");
    }, 90_000);

    it("Ctrl-C stops watching with exit 0 and leaves the last good release running", async () => {
      watching.child.kill("SIGINT");
      expect(await watching.exited).toBe(0);
      expect(watching.stderr()).toMatch(/stopped watching: the live release on s8013 stays as it is/);
      expect(await room.reply()).toBe("six");
    }, 30_000);
  },
);

describe.skipIf(missing !== undefined)("a one-off deploy that changed nothing", () => {
  it("says so and leaves the running app alone", async () => {
    const room = await openClassroom(temp);
    try {
      expect((await room.wx(["deploy", "s8013", "--yes"])).code).toBe(0);
      const pid = room.sshd.run(`cat ~/.room-${room.port}.wxdev/app.pid`);
      writeFileSync(join(room.dir, "wechat.py"), room.sshd.run(`cat ~/room-${room.port}/wechat.py`));
      const again = await room.wx(["deploy", "s8013"]);
      expect(again.code).toBe(0);
      expect(again.stdout).toMatch(/nothing changed: live release kept/);
      expect(again.stdout).toMatch(/already runs release \S+: not restarted/);
      expect(room.sshd.run(`cat ~/.room-${room.port}.wxdev/app.pid`)).toBe(pid);
    } finally {
      await room.stop();
    }
  }, 90_000);
});
