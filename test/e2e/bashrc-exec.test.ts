import { randomBytes } from "node:crypto";
import { appendFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
const missing = sshdMissing();
if (missing) console.warn(`skipping the ~/.bashrc exec tests: ${missing}`);

describe.skipIf(missing !== undefined)("a ~/.bashrc that replaces the interactive shell (real sshd)", () => {
  let sshd: TestSshd;
  let clientHome: string;
  let dir: string;
  const remote = `bashrc-${randomBytes(3).toString("hex")}`;
  const wx = (args: string[]) => runMain(args, { cwd: dir, env: { HOME: clientHome }, timeoutMs: 30_000 });

  beforeAll(async () => {
    sshd = await startSshd({ account: "x" });
    clientHome = temp("wxdev-client-home-");
    dir = temp("wxdev-bashrc-");
    writeFileSync(join(dir, "wechat.py"), "print('hi')\n");
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: serverEntry(sshd, remote) } }));
    expect((await wx(["deploy", "s8013", "--yes"])).code).toBe(0);
    // As a student who wanted another shell: below the stock guard, so only interactive shells run it.
    appendFileSync(join(sshd.home, ".bashrc"), "case $- in *i*) ;; *) return;; esac\nexec sh\n");
  }, 30_000);
  afterAll(async () => sshd?.stop());

  it("wxdev exec and deploy --exec say the command never ran (exit 1), never report its success", async () => {
    const ran = `ran-${randomBytes(3).toString("hex")}`;
    const exec = await wx(["exec", "s8013", "--", `touch ~/${ran}`]);
    expect(exec.code).toBe(1);
    expect(exec.stderr).toContain("the command never ran to its end on the server");
    const deploy = await wx(["deploy", "s8013", "--exec", `touch ~/${ran}`]);
    expect(deploy.code).toBe(1);
    expect(deploy.stderr).toContain("the command never ran to its end on the server");
    expect(sshd.run(`ls ~/${ran} 2>/dev/null || echo absent`).trim()).toBe("absent");
  });
});
