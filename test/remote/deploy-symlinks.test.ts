import { randomBytes } from "node:crypto";
import { mkdirSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, localEntry, startLocalServer } from "../helpers/local-server.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

describe("wxdev deploy and symlinks, through a local shell", () => {
  let machine: LocalServer;
  let clientHome: string;

  beforeAll(async () => {
    machine = await startLocalServer();
    clientHome = temp("wxdev-client-home-");
    mkdirSync(join(clientHome, ".ssh"));
    writeFileSync(join(clientHome, ".ssh", "id_ed25519"), "-----BEGIN OPENSSH PRIVATE KEY----- not-for-the-server\n");
  });
  afterAll(async () => machine?.stop());

  function project(): { dir: string; remote: string } {
    const dir = temp("wxdev-project-");
    const remote = `app-${randomBytes(4).toString("hex")}`;
    writeFileSync(join(dir, "wechat.py"), "print('hello')\n");
    writeFileSync(join(dir, "run.sh"), "echo run\n");
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "index.html"), "<h1>hi</h1>\n");
    const server = localEntry(machine, remote);
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
    return { dir, remote };
  }

  const deploy = (dir: string, args: string[]) =>
    runMain(["deploy", "s8013", "--yes", ...args], { cwd: dir, env: { HOME: clientHome }, timeoutMs: 60_000 });

  it(
    "links to ~/.ssh and /etc/passwd are refused, naming them and their targets; nothing " + "reaches the server",
    async () => {
      const { dir, remote } = project();
      symlinkSync(join(clientHome, ".ssh"), join(dir, "sshdir"));
      symlinkSync("/etc/passwd", join(dir, "passwd-link"));
      const result = await deploy(dir, []);
      expect(result.code).toBe(2);
      expect(result.stderr).toContain(
        `symlinks point out of the project: passwd-link → /etc/passwd, sshdir → ${join(clientHome, ".ssh")}`,
      );
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(machine.run(`ls -a ~ | grep -c -e '^${remote}$' -e '^\\.${remote}\\.wxdev$' || true`).trim()).toBe("0");
    },
  );

  it("links inside the project arrive as links; an unchanged link is not sent again, a changed target is", async () => {
    const { dir, remote } = project();
    symlinkSync("templates", join(dir, "static"));
    symlinkSync("wechat.py", join(dir, "current.py"));
    symlinkSync("../wechat.py", join(dir, "templates", "up.py"));
    const first = await deploy(dir, ["--json"]);
    expect(first.code, first.stderr).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ uploaded: 6 });
    expect(
      machine.run(`cd ~/${remote} && readlink static current.py templates/up.py && cat static/index.html current.py`),
    ).toBe("templates\nwechat.py\n../wechat.py\n<h1>hi</h1>\nprint('hello')\n");
    expect(machine.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -type l -print | sort`)).toBe(
      "./current.py\n./static\n./templates/up.py\n",
    );
    const again = await deploy(dir, ["--json"]);
    expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, unchanged: 6 });
    rmSync(join(dir, "current.py"));
    symlinkSync("run.sh", join(dir, "current.py"));
    const changed = await deploy(dir, ["--dry-run"]);
    expect(changed.stdout).toMatch(/plan: upload 1 .*unchanged 5/);
    expect(changed.stdout).toContain("~ current.py"); // changed, not new
    expect((await deploy(dir, [])).code).toBe(0);
    expect(machine.run(`readlink ~/${remote}/current.py; cat ~/${remote}/current.py`)).toBe("run.sh\necho run\n");
  });

  it("a link out of the project named on the command line uploads what it points to", async () => {
    const { dir, remote } = project();
    const shared = temp("wxdev-shared-");
    writeFileSync(join(shared, "settings.py"), "DEBUG = False\n");
    symlinkSync(join(shared, "settings.py"), join(dir, "settings.py"));
    expect((await deploy(dir, [])).code).toBe(2);
    const named = await deploy(dir, ["settings.py"]);
    expect(named.code, named.stderr).toBe(0);
    expect(machine.run(`cd ~/${remote} && test -f settings.py && ! test -L settings.py && cat settings.py`)).toBe(
      "DEBUG = False\n",
    );
  });
});
