import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Classroom, NGINX, openClassroom } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the tests of which release the app serves: ${missing}`);

describe.skipIf(missing !== undefined)(
  "which release the app serves: status, files-only deploys, no-op deploys (a local shell, nginx, Flask)",
  () => {
    let room: Classroom;
    const status = async () => JSON.parse((await room.wx(["status", "s8013", "--json"])).stdout).status;
    const deployed = async (version: string, args: string[] = [], env: Record<string, string | undefined> = {}) => {
      room.write(version);
      return room.wx(["deploy", "s8013", "--yes", ...args], env);
    };

    beforeAll(async () => {
      room = await openClassroom(temp, { postDeploy: "echo post-ran" }, undefined, { local: true });
      const first = await room.wx(["deploy", "s8013", "--yes"]);
      expect(first.code, first.stderr).toBe(0);
    }, 60_000);
    afterAll(async () => room?.stop());

    it("after deploy --no-start, status names the release the process serves and says to restart; --json too", async () => {
      const serving = (await status()).release as string;
      const files = await deployed("two", ["--no-start", "--json"]);
      expect(files.code, files.stderr).toBe(0);
      const json = JSON.parse(files.stdout);
      expect(json.serving).toMatchObject({ release: serving, managed: true });
      const text = await deployed("three", ["--no-start"]);
      expect(text.code, text.stderr).toBe(0);
      const live = (await status()).release as string;
      expect(text.stderr).toMatch(
        new RegExp(
          `the app \\(pid \\d+\\) still runs release ${serving}, not the new release ${live}: ` +
            "a restart is needed to serve it: wxdev restart s8013",
        ),
      );
      const shown = await room.wx(["status", "s8013"]);
      expect(shown.code).toBe(1);
      expect(shown.stdout).toMatch(
        new RegExp(`^serves\\s+release ${serving} ← not the live release ${live}: wxdev restart s8013$`, "m"),
      );
      expect(await status()).toMatchObject({ release: live, serving: { release: serving, managed: true } });
      expect(await room.reply()).toBe("one");
      expect((await room.wx(["restart", "s8013"])).code).toBe(0);
      const after = await room.wx(["status", "s8013"]);
      expect(after.code, after.stdout).toBe(0);
      expect(after.stdout).toMatch(new RegExp(`^serves\\s+release ${live}$`, "m"));
      expect(await room.reply()).toBe("three");
    });

    it("deploy --no-start checks nothing (no Token needed, the app may be down) unless --check asks", async () => {
      expect((await room.wx(["stop", "s8013"])).code).toBe(0);
      const files = await deployed("four", ["--no-start"], { WXDEV_TOKEN: undefined });
      expect(files.code, files.stderr).toBe(0);
      expect(files.stdout).not.toContain("handshake");
      expect(files.stderr).toContain("the app is not running: start it with wxdev start s8013");
      const checked = await deployed("five", ["--no-start", "--check"]);
      expect(checked.code).toBe(1);
      expect(checked.stderr).toMatch(/the handshake through \S+ failed: HTTP 502/);
      expect((await room.wx(["start", "s8013"])).code).toBe(0);
      expect(await room.reply()).toBe("five");
    });

    it("a deploy that changes nothing does not restart the app (and says so), nor runs postDeploy", async () => {
      const before = (await status()).pid as number;
      const same = await room.wx(["deploy", "s8013"]);
      expect(same.code, same.stderr).toBe(0);
      expect(same.stdout).toContain("(nothing changed: live release kept)");
      expect(same.stdout).toMatch(
        new RegExp(`✓ the app \\(pid ${before}\\) already runs release \\S+: not restarted \\(wxdev restart s8013`),
      );
      expect(same.stdout).not.toContain("post-ran");
      expect(same.stderr).toContain("nothing changed: the post-deploy command did not run (echo post-ran)");
      expect((await status()).pid).toBe(before);
      // Asked for this run, a command runs all the same.
      const asked = await room.wx(["deploy", "s8013", "--exec", "echo asked"]);
      expect(asked.stdout).toContain("asked");
      // Stopped, the app is started by a deploy that changes nothing: the live release must run.
      expect((await room.wx(["stop", "s8013"])).code).toBe(0);
      const started = await room.wx(["deploy", "s8013"]);
      expect(started.code, started.stderr).toBe(0);
      expect(started.stdout).toMatch(/✓ app started: pid \d+/);
      expect(await room.reply()).toBe("five");
    });
  },
);
