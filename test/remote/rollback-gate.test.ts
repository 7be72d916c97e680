import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Classroom, NGINX, openClassroom } from "../helpers/classroom.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = NGINX === undefined ? "no nginx" : undefined;
if (missing) console.warn(`skipping the rollback-gate tests: ${missing}`);

interface Listed {
  live: string;
  rollbackTarget?: string;
  releases: { id: string; gate?: string; rollbackTarget: boolean }[];
}

describe.skipIf(missing !== undefined)(
  "--rollback and the health gate's verdicts (a local shell, virtualenvwrapper, nginx, Flask)",
  () => {
    let room: Classroom;
    const listed = async (): Promise<Listed> => JSON.parse((await room.wx(["releases", "s8013", "--json"])).stdout);
    /** Deploys `version`; returns the release id the deploy made. */
    const deployed = async (version: string, args: string[] = []) => {
      room.write(version);
      const result = await room.wx(["deploy", "s8013", "--yes", "--json", ...args]);
      return { ...result, release: JSON.parse(result.stdout).release as string };
    };

    beforeAll(async () => {
      room = await openClassroom(temp, {}, undefined, { local: true });
    }, 60_000);
    afterAll(async () => room?.stop());

    it("a release that failed its gate is marked so and never the rollback target: --rollback refuses, app up", async () => {
      const one = await deployed("one");
      expect(one.code, one.stderr).toBe(0);
      const broken = await deployed("broken");
      expect(broken.code).toBe(1);
      const listing = await listed();
      expect(listing.live).toBe(one.release);
      expect(listing.releases.find((release) => release.id === broken.release)?.gate).toBe("failed");
      expect(listing.releases.find((release) => release.id === one.release)?.gate).toBe("passed");
      expect(listing.rollbackTarget).toBeUndefined();
      const text = await room.wx(["releases", "s8013"]);
      expect(text.stdout).toMatch(
        new RegExp(`^  ${broken.release} .*← failed its health gate \\(never picked by --rollback\\)$`, "m"),
      );
      const refused = await room.wx(["deploy", "s8013", "--rollback"]);
      expect(refused.code).toBe(2);
      expect(refused.stderr).toContain(
        `cannot roll back: no release that passed its health gate was live before ${one.release}`,
      );
      expect(await room.reply()).toBe("one");
    });

    it("named (--rollback ID), a failed release is tried and undone as a failed deploy: switched back, exit 1", async () => {
      const { live, releases } = await listed();
      const failed = releases.find((release) => release.gate === "failed")?.id ?? "";
      const named = await room.wx(["deploy", "s8013", "--rollback", failed]);
      expect(named.code).toBe(1);
      expect(named.stdout).toContain(`rolled back s8013: ${live} → ${failed}`);
      expect(named.stderr).toContain(`release ${failed} had failed its health gate: it was named, so it was tried`);
      expect(named.stderr).toMatch(
        new RegExp(`release ${failed} did not come up: .*; switched back to ${live}, which answers again`),
      );
      expect(await room.reply()).toBe("one");
      expect((await listed()).live).toBe(live);
    });

    it("--rollback passes over a failed release to the one live before it", async () => {
      const one = (await listed()).live;
      const two = await deployed("two");
      expect(two.code, two.stderr).toBe(0);
      expect((await deployed("broken")).code).toBe(1);
      expect(await room.reply()).toBe("two");
      const back = await room.wx(["deploy", "s8013", "--rollback"]);
      expect(back.code, back.stderr).toBe(0);
      expect(back.stdout).toContain(`rolled back s8013: ${two.release} → ${one}`);
      expect(await room.reply()).toBe("one");
    });

    it("a rollback whose release does not come up is undone: switched back, started, checked, exit 1", async () => {
      // Deployed without the gate (--no-start), so nothing is known against it until a rollback tries it.
      const untried = await deployed("broken", ["--no-start"]);
      expect(untried.code, untried.stderr).toBe(0);
      const three = await deployed("three");
      expect(three.code, three.stderr).toBe(0);
      expect((await listed()).rollbackTarget).toBe(untried.release);
      const rolled = await room.wx(["deploy", "s8013", "--rollback", "--json"]);
      expect(rolled.code).toBe(1);
      const json = JSON.parse(rolled.stdout);
      expect(json).toMatchObject({ ok: false, action: "rollback", from: three.release, to: untried.release });
      expect(json.app.down.reason).toMatch(/the app exited with status 1/);
      expect(json.app.back).toMatchObject({ release: three.release, up: { check: { ok: true } } });
      expect(await room.reply()).toBe("three");
      const after = await listed();
      expect(after.live).toBe(three.release);
      expect(after.releases.find((release) => release.id === untried.release)?.gate).toBe("failed");
      expect((await room.wx(["status", "s8013"])).code).toBe(0);
    });
  },
);
