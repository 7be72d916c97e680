import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Classroom, NGINX, openClassroom } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the hand-restart tests: ${missing}`);

/** The README's own recipe: restart the app by hand after each deploy, no "start". */
const RECIPE = "workon wechat && pkill -f '^python wechat.py' ; nohup python wechat.py > app.log 2>&1 &";

describe.skipIf(missing !== undefined)(
  "a postDeploy that restarts the app by hand, with checkUrl and no start (a local shell, nginx, Flask)",
  () => {
    let room: Classroom;
    const deployed = (version: string, args: string[] = []) => {
      room.write(version);
      return room.wx(["deploy", "s8013", "--yes", ...args]);
    };

    beforeAll(async () => {
      // An account of its own: the recipe's pkill acts on every process of the account.
      room = await openClassroom(temp, { start: null, postDeploy: RECIPE }, "r", { local: true });
    }, 60_000);
    afterAll(async () => room?.stop());

    it("the check waits for the new process (its port, then the handshake): four healthy deploys pass", async () => {
      for (const version of ["one", "two", "three", "four"]) {
        const result = await deployed(version, ["--json"]);
        expect(result.code, result.stderr).toBe(0);
        const json = JSON.parse(result.stdout);
        expect(json.app.up).toMatchObject({ by: "post", start: { release: json.release }, check: { ok: true } });
        expect(await room.reply()).toBe(version);
      }
      const text = await deployed("five");
      expect(text.code, text.stderr).toBe(0);
      expect(text.stdout).toMatch(/✓ app restarted by the post-deploy command: pid \d+, release \S+, in [\d.]+ s/);
      expect(text.stdout).toMatch(/✓ handshake through \S+ \(\d+ ms\)/);
    });

    it("an answer from the process started before the switch is no pass: the post-deploy command did not restart it", async () => {
      const before = JSON.parse((await room.wx(["status", "s8013", "--json"])).stdout).status;
      expect(before.serving).toMatchObject({ managed: false });
      const old = await deployed("six", ["--exec", "echo not restarting anything", "--json"]);
      expect(old.code).toBe(1);
      const json = JSON.parse(old.stdout);
      expect(json.app.down.reason).toMatch(
        new RegExp(
          `the app on port ${room.port} \\(pid ${before.serving.pid}, release ${before.release}\\) was started` +
            " before this deploy and still answers within 10 s of the post-deploy command: the post-deploy command" +
            " did not restart it",
        ),
      );
      expect(json.app.kept).toContain(`release ${json.release} stays live`);
      expect(await room.reply()).toBe("five");
      const listed = JSON.parse((await room.wx(["releases", "s8013", "--json"])).stdout);
      expect(listed.releases.find((release: { id: string }) => release.id === json.release).gate).toBe("failed");
    }, 40_000);
  },
);
