import { execFileSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { remoteLayout } from "../../src/core/remote/layout.js";
import { listScript, parseListing } from "../../src/core/remote/releases/list.js";
import { NOW_UTC, rollbackScript, switchScript } from "../../src/core/remote/releases/switch.js";
import { q } from "../../src/core/remote/shell.js";
import { type LocalServer, localEntry, startLocalServer } from "../helpers/local-server.js";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

describe("releases, rollback by history and deploy's checks, through a local shell", () => {
  let machine: LocalServer;
  let clientHome: string;

  beforeAll(async () => {
    machine = await startLocalServer();
    clientHome = temp("wxdev-client-home-");
  });
  afterAll(async () => machine?.stop());

  function project(server: Record<string, unknown> = {}): { dir: string; remote: string } {
    const dir = temp("wxdev-project-");
    const remote = `rel-${randomBytes(4).toString("hex")}`;
    writeFileSync(join(dir, "wechat.py"), "A\n");
    const config = {
      servers: {
        s8013: localEntry(machine, remote, server),
      },
    };
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify(config));
    return { dir, remote };
  }
  const wxdev = (dir: string, args: string[]) =>
    runMain(args, { cwd: dir, env: { HOME: clientHome }, timeoutMs: 60_000 });
  const deploy = (dir: string, args: string[]) => wxdev(dir, ["deploy", "s8013", "--yes", ...args]);
  /** Deploys wechat.py with `content`; returns the new release's id. */
  async function release(dir: string, content: string): Promise<string> {
    writeFileSync(join(dir, "wechat.py"), `${content}\n`);
    const result = await deploy(dir, ["--json"]);
    expect(result.code, result.stderr).toBe(0);
    return JSON.parse(result.stdout).release;
  }
  const live = (remote: string): string => machine.run(`cat ~/${remote}/wechat.py`).trim();

  it("deploy A, B, rollback (A), deploy C, rollback → A by history, not B by name; `releases` shows it", async () => {
    const { dir, remote } = project({ keepReleases: 5 });
    const a = await release(dir, "A");
    const b = await release(dir, "B");
    expect((await deploy(dir, ["--rollback"])).code).toBe(0);
    expect(live(remote)).toBe("A");
    const c = await release(dir, "C");
    const listed = await wxdev(dir, ["releases", "s8013", "--json"]);
    expect(listed.code, listed.stderr).toBe(0);
    const listing = JSON.parse(listed.stdout);
    expect(listing.live).toBe(c);
    expect(listing.rollbackTarget).toBe(a);
    expect(listing.releases.map((r: { id: string }) => r.id)).toEqual([a, b, c]);
    expect(listing.releases.map((r: { files: number }) => r.files)).toEqual([1, 1, 1]);
    expect(listing.history.map((h: { id: string; reason: string }) => `${h.id} ${h.reason}`)).toEqual([
      `${a} deploy`,
      `${b} deploy`,
      `${a} rollback`,
      `${c} deploy`,
    ]);
    const text = await wxdev(dir, ["releases", "s8013"]);
    expect(text.stdout).toContain(`  ${a}  `);
    expect(text.stdout).toMatch(new RegExp(`^  ${a}  \\S+Z  1 file  ← rollback target$`, "m"));
    expect(text.stdout).toMatch(new RegExp(`^\\* ${c}  \\S+Z  1 file  ← live$`, "m"));
    const back = await deploy(dir, ["--rollback"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain(`rolled back s8013: ${c} → ${a}`);
    expect(live(remote)).toBe("A");
  });

  it("the listing: release folders only, oldest first; files counted only when asked (pruning does not read them)", async () => {
    const { dir, remote } = project({ keepReleases: 5 });
    const a = await release(dir, "A");
    writeFileSync(join(dir, "more.txt"), "more\n");
    const b = await release(dir, "B");
    const releases = `~/.${remote}.wxdev/releases`;
    machine.run(`cd ${releases} && mkdir 2099x.partial && echo stray > stray-file && printf 'no newline' >> history`);
    const layout = remoteLayout(`~/${remote}`);
    const listed = (count: boolean) => machine.run(listScript(layout, { count })).split("\n");
    const quick = listed(false);
    expect(quick.slice(0, 3)).toEqual([`live ${b}`, `release ${a} -`, `release ${b} -`]);
    expect(quick.slice(-2)).toEqual(["history no newline", ""]); // a last line without its newline is kept
    expect(parseListing(quick.join("\n")).releases.map((r) => [r.id, r.files])).toEqual([
      [a, undefined],
      [b, undefined],
    ]);
    expect(listed(true).slice(0, 3)).toEqual([`live ${b}`, `release ${a} 1`, `release ${b} 2`]);
  });

  it("the history's time: UTC from bash's own clock, and from date where the shell is sh", () => {
    const times = ["bash", "sh"].map((shell) =>
      execFileSync(shell, ["-c", `${NOW_UTC}; echo "$now"`], { encoding: "utf8", env: { TZ: "Asia/Shanghai" } }).trim(),
    );
    for (const time of times) {
      expect(time).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
      expect(Math.abs(Date.parse(time) - Date.now())).toBeLessThan(60_000);
    }
  });

  it("--rollback ID goes to that release; an unknown ID is exit 2 naming the known ones, nothing moved", async () => {
    const { dir, remote } = project({ keepReleases: 5 });
    const a = await release(dir, "A");
    const b = await release(dir, "B");
    await release(dir, "C");
    const unknown = await deploy(dir, ["--rollback", "20990101T000000000Z-1ffffff"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("no release 20990101T000000000Z-1ffffff on the server");
    expect(unknown.stderr).toContain(`known releases: ${a}, ${b}`);
    expect(live(remote)).toBe("C");
    const toB = await deploy(dir, ["--rollback", b]);
    expect(toB.code, toB.stderr).toBe(0);
    expect(live(remote)).toBe("B");
    const toA = await deploy(dir, ["--rollback", a]);
    expect(toA.code, toA.stderr).toBe(0);
    expect(live(remote)).toBe("A");
    // By history, the release before A is B (what was live), though nothing sorts before A.
    expect((await deploy(dir, ["--rollback"])).code).toBe(0);
    expect(live(remote)).toBe("B");
  });

  it("pruning keeps the rollback target even when it is the oldest release", async () => {
    const { dir, remote } = project({ keepReleases: 2 });
    const a = await release(dir, "A");
    const b = await release(dir, "B");
    expect((await deploy(dir, ["--rollback"])).code).toBe(0);
    const c = await release(dir, "C");
    const ids = machine
      .run(`ls -1 ~/.${remote}.wxdev/releases`)
      .trim()
      .split("\n")
      .filter((name) => name !== "history");
    // The newest two by name are B and C; A stays as the rollback target (it was live before C).
    expect(ids).toEqual([a, b, c]);
    const d = await release(dir, "D");
    const after = machine.run(`ls -1 ~/.${remote}.wxdev/releases`).trim().split("\n");
    expect(after).toEqual([c, d, "history"]);
    expect((await deploy(dir, ["--rollback"])).code).toBe(0);
    expect(live(remote)).toBe("C");
  });

  it(
    "--dry-run marks changed (~) and new (+) files, " + "says what it would run and that a plain folder is adopted",
    async () => {
      const { dir, remote } = project({ postDeploy: "echo restarted" });
      machine.run(`mkdir -p ~/${remote} && echo old > ~/${remote}/wechat.py`);
      const first = await deploy(dir, ["--dry-run"]);
      expect(first.code, first.stderr).toBe(0);
      expect(first.stdout).toContain("plain folder: it would be kept as the first release");
      expect(first.stdout).toContain("would run in the remote directory: echo restarted");
      expect((await deploy(dir, [])).code).toBe(0);
      writeFileSync(join(dir, "wechat.py"), "changed\n");
      writeFileSync(join(dir, "new.py"), "new\n");
      const dry = await deploy(dir, ["--dry-run"]);
      expect(dry.stdout).toMatch(/^ {2}\+ new\.py$/m);
      expect(dry.stdout).toMatch(/^ {2}~ wechat\.py$/m);
      expect(dry.stdout).not.toContain("plain folder");
      const one = await deploy(dir, ["wechat.py", "--no-post"]);
      expect(one.stdout).toMatch(/^uploaded 1 file \(/m);
    },
  );

  it.each([
    [["--no-post", "--exec", "true"], /--no-post and --exec cannot go together/],
    [["--dry-run", "--exec", "true"], /--dry-run and --exec cannot go together/],
    [["--check"], /--check needs "checkUrl"/],
    [["no-such.py"], /no such path in .*: no-such\.py/],
  ])("bad input %j is exit 2 before connecting", async (args, message) => {
    // An unreachable server: reaching it would be another failure (exit 1, "cannot connect").
    const { dir } = project({ host: "127.0.0.1", port: 1 });
    const result = await deploy(dir, args);
    expect(result.code, result.stderr).toBe(2);
    expect(result.stderr).toMatch(message);
    expect(result.stderr).not.toMatch(/connect/);
  });

  it("no Token for checkUrl's check: exit 2 before connecting, saying --no-check (not --check, never given)", async () => {
    const unreachable = project({ host: "127.0.0.1", port: 1, checkUrl: "http://127.0.0.1:1/wechat8013" });
    const refused = await deploy(unreachable.dir, []);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toContain("the check through checkUrl (http://127.0.0.1:1/wechat8013) needs the Token");
    expect(refused.stderr).toContain("or deploy without the check: --no-check");
    expect(refused.stderr).not.toContain("drop --check");
    expect((await deploy(unreachable.dir, ["--check"])).stderr).toContain("or drop --check");
    const { dir } = project({ checkUrl: "http://127.0.0.1:1/wechat8013" });
    const unchecked = await deploy(dir, ["--no-check"]);
    expect(unchecked.code, unchecked.stderr).toBe(0);
    expect(unchecked.stdout + unchecked.stderr).not.toContain("handshake");
  });

  it("the config file in use never goes up, whatever its name; named outside the project, the project is here", async () => {
    const { dir } = project();
    const other = join(dir, "other.json");
    writeFileSync(other, readFileSync(join(dir, "wxdev.config.json")));
    writeFileSync(join(dir, "wxdev.config.json"), "{}");
    const named = await wxdev(dir, ["--config", "other.json", "deploy", "s8013", "--yes", "--dry-run"]);
    expect(named.code, named.stderr).toBe(0);
    expect(named.stdout).toMatch(/^ {2}\+ wechat\.py$/m);
    expect(named.stdout).not.toContain("other.json");
    expect(named.stderr).not.toContain("the project is");
    // Kept apart (its secrets with it), the config names no project folder: the one wxdev runs in is.
    const apart = join(temp("wxdev-cfgs-"), "class.json");
    writeFileSync(apart, readFileSync(other));
    rmSync(other);
    const outside = await wxdev(dir, ["--config", apart, "deploy", "s8013", "--yes"]);
    expect(outside.code, outside.stderr).toBe(0);
    expect(outside.stderr).toContain(
      `the project is ${dir}, the folder wxdev runs in (--config names a file outside it)`,
    );
    expect(outside.stdout).toMatch(/^uploaded 1 file \(/m);
  });

  it("a post-deploy command leaving a background child on its stdout does not hang: exit 1 saying why", async () => {
    const { dir } = project();
    const started = Date.now();
    const result = await deploy(dir, ["--exec", "echo before; sleep 30 &"]);
    expect(Date.now() - started).toBeLessThan(15_000);
    expect(result.code).toBe(1);
    expect(result.stdout).toContain("before");
    expect(result.stderr).toMatch(/kept its output open/);
    expect(result.stderr).toMatch(/>> app\.log 2>&1 < \/dev\/null &/);
    machine.killProcesses();
  }, 30_000);

  it("a background child with its output redirected is not waited for, and is no failure", async () => {
    const { dir } = project();
    const result = await deploy(dir, ["--exec", "sleep 30 > /dev/null 2>&1 < /dev/null &"]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).not.toMatch(/output open/);
    machine.killProcesses();
  });

  it(
    "a folder holding pyvenv.cfg, __pycache__ and *.pyc stay local by default; " + "a .gitignore rule decides first",
    async () => {
      const { dir, remote } = project();
      mkdirSync(join(dir, "env", "bin"), { recursive: true });
      writeFileSync(join(dir, "env", "pyvenv.cfg"), "home = /usr/bin\n");
      mkdirSync(join(dir, "__pycache__"));
      writeFileSync(join(dir, "__pycache__", "wechat.cpython-311.pyc"), "x");
      writeFileSync(join(dir, "old.pyc"), "x");
      writeFileSync(join(dir, ".DS_Store"), "x");
      expect((await deploy(dir, [])).code).toBe(0);
      expect(machine.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -type f -print | sort`)).toBe(
        "./wechat.py\n",
      );
      writeFileSync(join(dir, ".gitignore"), "!*.pyc\n");
      expect((await deploy(dir, [])).code).toBe(0);
      expect(machine.run(`cd ~/${remote} && ls -a`)).toContain("old.pyc");
    },
  );

  it("a switch whose output cannot be written (a cut connection) is in the history all the same", async () => {
    const { dir, remote } = project({ keepReleases: 5 });
    const a = await release(dir, "A");
    const b = await release(dir, "B");
    const layout = remoteLayout(`~/${remote}`);
    const lastSwitch = async (): Promise<{ live: string; last: { id: string; reason: string } }> => {
      const listing = JSON.parse((await wxdev(dir, ["releases", "s8013", "--json"])).stdout);
      return { live: listing.live, last: listing.history.at(-1) };
    };
    // stdout a full disk: the write of the link fails.
    machine.run(`bash -c ${q(rollbackScript(layout, b, a))} > /dev/full || true`);
    expect(await lastSwitch()).toMatchObject({ live: a, last: { id: a, reason: "rollback" } });
    // stdout a pipe whose reader is gone: SIGPIPE, as when sshd closes a cut session.
    machine.run(`{ sleep 0.3; bash -c ${q(rollbackScript(layout, a, b))}; } | true`);
    expect(await lastSwitch()).toMatchObject({ live: b, last: { id: b, reason: "rollback" } });
    const c = "20300101T000000000Z-1cccccc";
    machine.run(`mkdir ~/.${remote}.wxdev/releases/${c}.partial`);
    machine.run(`{ sleep 0.3; printf '{}' | bash -c ${q(switchScript(layout, c, undefined))}; } | true`);
    expect(await lastSwitch()).toMatchObject({ live: c, last: { id: c, reason: "deploy" } });
  });
});
