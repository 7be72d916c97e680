import { spawn, spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const missing = sshdMissing();
if (missing) console.warn(`skipping the SSH deploy tests: ${missing}`);

describe.skipIf(missing !== undefined)("wxdev deploy against a real OpenSSH sshd", () => {
  let sshd: TestSshd;
  let clientHome: string;

  beforeAll(async () => {
    sshd = await startSshd();
    clientHome = temp("wxdev-client-home-");
  }, 30_000);
  afterAll(async () => sshd?.stop());

  /** A project with a config for one server; remoteDir unique per project. */
  function project(server: Record<string, unknown> = {}): { dir: string; remote: string; name: string } {
    const dir = temp("wxdev-project-");
    const remote = `app-${randomBytes(4).toString("hex")}`;
    const name = "s8013";
    writeFileSync(join(dir, "wechat.py"), "print('hello from wechat.py')\n");
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\necho run\n");
    chmodSync(join(dir, "run.sh"), 0o755);
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "index.html"), "<h1>你好</h1>\n");
    writeFileSync(join(dir, ".env.example"), "TOKEN=\n");
    writeFileSync(join(dir, "debug.log"), "noise\n");
    writeFileSync(join(dir, ".gitignore"), "*.log\n");
    mkdirSync(join(dir, "node_modules"));
    writeFileSync(join(dir, "node_modules", "x.js"), "x\n");
    const config = {
      servers: {
        [name]: serverEntry(sshd, remote, server),
      },
    };
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify(config, null, 2));
    return { dir, remote, name };
  }

  const wxdev = (dir: string, args: string[], env: Record<string, string> = {}) =>
    runCli(args, { cwd: dir, env: { HOME: clientHome, ...env }, timeoutMs: 60_000 });
  const deploy = (dir: string, args: string[], env: Record<string, string> = {}) =>
    wxdev(dir, ["deploy", "s8013", ...args], env);
  const remoteListing = (remote: string): string =>
    sshd.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -type f -printf '%p %m %s\\n' | sort`);

  it(
    "first deploy: every file (dotfiles and modes kept, ignored ones left out), live dir is a " + "link; JSON summary",
    async () => {
      const { dir, remote } = project();
      const result = await deploy(dir, ["--yes", "--json"]);
      expect(result.code, result.stderr).toBe(0);
      const summary = JSON.parse(result.stdout);
      expect(summary).toMatchObject({
        uploaded: 5,
        deleted: 0,
        unchanged: 0,
        bytes: expect.any(Number),
        seconds: expect.any(Number),
      });
      expect(remoteListing(remote)).toBe(
        `${[
          "./.env.example 644 7",
          "./.gitignore 644 6",
          "./run.sh 755 19",
          "./templates/index.html 644 16",
          "./wechat.py 644 30",
        ].join("\n")}\n`,
      );
      expect(sshd.run(`readlink ~/${remote}`)).toMatch(
        new RegExp(`/\\.${remote}\\.wxdev/releases/\\d{8}T\\d{9}Z-1[0-9a-f]{6}\\n$`),
      );
      expect(result.stderr).toMatch(/Added 127\.0\.0\.1:\d+ \(ssh-ed25519 SHA256:/);
      // ssh itself now trusts the recorded key: wxdev and OpenSSH agree on known_hosts.
      const found = execFileSync(
        "ssh-keygen",
        ["-F", `[127.0.0.1]:${sshd.port}`, "-f", join(clientHome, ".ssh", "known_hosts")],
        { encoding: "utf8" },
      );
      expect(found).toContain(sshd.hostPublicKey.split(" ")[1]);
    },
  );

  it(
    "re-deploys incrementally: unchanged → 0 uploaded; one file changed → 1; --dry-run " + "changes nothing",
    async () => {
      const { dir, remote } = project();
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      const link = sshd.run(`readlink ~/${remote}`);
      const unchanged = await deploy(dir, ["--json"]);
      expect(JSON.parse(unchanged.stdout)).toMatchObject({ uploaded: 0, unchanged: 5 });
      expect(sshd.run(`readlink ~/${remote}`)).toBe(link);
      writeFileSync(join(dir, "wechat.py"), "print('changed')\n");
      const dry = await deploy(dir, ["--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/plan: upload 1 .*unchanged 4/);
      expect(dry.stdout).toContain("~ wechat.py"); // changed, not new
      expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
      const one = await deploy(dir, []);
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(/^uploaded 1 file \(0\.0 KiB\), deleted 0, unchanged 4, in \d+\.\d+ s/m);
      expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("print('changed')\n");
    },
  );

  it("--delete removes only files an earlier deploy put there", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    sshd.run(`echo mine > ~/${remote}/made-on-server.txt`);
    unlinkSync(join(dir, "run.sh"));
    const kept = await deploy(dir, ["--json"]);
    expect(JSON.parse(kept.stdout)).toMatchObject({ deleted: 0, kept: 1 });
    expect(sshd.run(`ls ~/${remote}`)).toContain("run.sh");
    const deleted = await deploy(dir, ["--delete", "--json"]);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 1 });
    const files = sshd.run(`ls ~/${remote}`);
    expect(files).not.toContain("run.sh");
    expect(files).toContain("made-on-server.txt");
  });

  it("--rollback returns to the previous release", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
    expect((await deploy(dir, [])).code).toBe(0);
    expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("print('v2')\n");
    const back = await deploy(dir, ["--rollback"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/rolled back s8013: \S+ → \S+/);
    expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
  });

  it("a new release never writes into the previous one, nor shares the app's own files with it", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const first = sshd.run(`readlink ~/${remote}`).trim();
    const firstManifest = sshd.run(`cat ${first}/.wxdev/manifest.json`);
    sshd.run(`echo v1 log > ~/${remote}/app.log`);
    writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
    chmodSync(join(dir, "run.sh"), 0o700);
    expect((await deploy(dir, [])).code).toBe(0);
    const second = sshd.run(`readlink ~/${remote}`).trim();
    expect(second).not.toBe(first);
    expect(sshd.run(`cat ${first}/wechat.py; stat -c %a ${first}/run.sh`)).toBe("print('hello from wechat.py')\n755\n");
    expect(sshd.run(`cat ${first}/.wxdev/manifest.json`)).toBe(firstManifest);
    sshd.run(`echo v2 log > ~/${remote}/app.log`); // the app, restarted in the new release
    expect(sshd.run(`cat ${first}/app.log ${second}/app.log`)).toBe("v1 log\nv2 log\n");
  });

  it("a deploy killed midway leaves the live directory exactly as it was; the next one succeeds", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const before = remoteListing(remote);
    writeFileSync(join(dir, "big.bin"), randomBytes(64 * 1024 * 1024));
    const child = spawn(process.execPath, [BIN, "deploy", "s8013"], {
      cwd: dir,
      env: cleanEnv({ HOME: clientHome }),
      stdio: "ignore",
    });
    let sawPartial = false;
    for (let i = 0; i < 400 && !sawPartial; i++) {
      sawPartial = sshd.run(`ls ~/.${remote}.wxdev/releases | grep -c partial || true`).trim() !== "0";
      if (!sawPartial) await new Promise((resolve) => setTimeout(resolve, 25));
    }
    expect(sawPartial).toBe(true); // killed while the upload was really under way
    child.kill("SIGKILL");
    await new Promise((resolve) => child.once("exit", resolve));
    expect(remoteListing(remote)).toBe(before);
    const next = await deploy(dir, ["--json"]);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).uploaded).toBe(1);
    expect(sshd.run(`ls ~/.${remote}.wxdev/releases`)).not.toContain("partial");
  }, 60_000);

  it(
    "postDeploy runs in a login shell in the remote dir (workon from ~/.bashrc), output " +
      "streamed; its exit code counts",
    async () => {
      const { dir } = project({ postDeploy: 'workon wechat && echo "venv=$VIRTUAL_ENV cwd=$(basename $PWD)"' });
      const ok = await deploy(dir, ["--yes"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain("(workon wechat)");
      expect(ok.stdout).toMatch(/venv=\/home\/\w+\/\.virtualenvs\/wechat cwd=app-/);
      const failing = await deploy(dir, ["--exec", "echo about to fail >&2; exit 3"]);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(/post-deploy command exited with 3: about to fail/);
      const skipped = await deploy(dir, ["--no-post"]);
      expect(skipped.code, skipped.stderr).toBe(0);
      expect(skipped.stdout).not.toContain("workon");
    },
  );

  it("password login from WXDEV_SSH_PASSWORD; a wrong one is one clear line naming the methods tried", async () => {
    const { dir } = project({ privateKey: undefined });
    const ok = await deploy(dir, ["--yes"], { WXDEV_SSH_PASSWORD: sshd.password });
    expect(ok.code, ok.stderr).toBe(0);
    const wrong = await deploy(dir, [], { WXDEV_SSH_PASSWORD: "not-the-password" });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(
      new RegExp(`authentication failed for ${sshd.user}@127\\.0\\.0\\.1:\\d+ \\(tried: password\\)`),
    );
    expect(wrong.stderr).not.toContain("not-the-password");
    expect(wrong.stderr.trim().split("\n")).toHaveLength(1);
  });

  it(
    "an unknown host key without a terminal or --yes is refused with its fingerprint; a " + "changed key is refused",
    async () => {
      const { dir } = project();
      const freshHome = temp("wxdev-client-home-");
      const unknown = await runCli(["deploy", "s8013"], { cwd: dir, env: { HOME: freshHome } });
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(
        /host key of 127\.0\.0\.1:\d+ is unknown \(ssh-ed25519 SHA256:[\w+/]+\).*--accept-new-host-key/,
      );
      mkdirSync(join(freshHome, ".ssh"));
      const otherKey = execFileSync(
        "bash",
        ["-c", `d=$(mktemp -d) && ssh-keygen -q -t ed25519 -N '' -f $d/k && cat $d/k.pub`],
        { encoding: "utf8" },
      ).split(" ");
      writeFileSync(join(freshHome, ".ssh", "known_hosts"), `[127.0.0.1]:${sshd.port} ${otherKey[0]} ${otherKey[1]}\n`);
      const changed = await runCli(["deploy", "s8013", "--yes"], { cwd: dir, env: { HOME: freshHome } });
      expect(changed.code).toBe(1);
      expect(changed.stderr).toMatch(/WARNING: the host key of 127\.0\.0\.1:\d+ has CHANGED/);
    },
  );

  it("bad input: unknown server, unreachable host, a broken symlink — one line each, nothing uploaded", async () => {
    const { dir, remote } = project();
    const unknownServer = await runCli(["deploy", "s9999"], { cwd: dir, env: { HOME: clientHome } });
    expect(unknownServer.code).toBe(2);
    expect(unknownServer.stderr).toMatch(/unknown server "s9999".*known servers: s8013/);
    expect(unknownServer.stderr.trim().split("\n")).toHaveLength(1);
    const closed = project({ port: 9 });
    const unreachable = await runCli(["deploy", "s8013"], { cwd: closed.dir, env: { HOME: clientHome } });
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(`cannot connect to ${sshd.user}@127\\.0\\.0\\.1:9: connection refused`),
    );
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const broken = await deploy(dir, ["--yes"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/dangling is a broken symlink/);
    expect(broken.stderr.trim().split("\n")).toHaveLength(1);
    expect(sshd.run(`ls -a ~ | grep -c '^${remote}$' || true`).trim()).toBe("0");
    rmSync(join(dir, "dangling"));
  });

  it("the SSH agent comes first: a key held by ssh-agent logs in with no privateKey configured", async () => {
    const agentDir = temp("wxdev-agent-");
    const socket = join(agentDir, "agent.sock");
    const agent = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    try {
      for (
        let i = 0;
        i < 100 && spawnSync("ssh-add", ["-l"], { env: { ...process.env, SSH_AUTH_SOCK: socket } }).status === 2;
        i++
      ) {
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      execFileSync("ssh-add", ["-q", sshd.clientKey], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
      const { dir } = project({ privateKey: undefined });
      const result = await deploy(dir, ["--yes"], { SSH_AUTH_SOCK: socket });
      expect(result.code, result.stderr).toBe(0);
      const wrong = await deploy(dir, [], { SSH_AUTH_SOCK: socket, WXDEV_SSH_PASSWORD: "not-it" });
      expect(wrong.code, wrong.stderr).toBe(0); // the agent's key got in: the password was never needed
    } finally {
      agent.kill();
    }
  });

  it("an encrypted key takes its passphrase from WXDEV_SSH_PASSPHRASE", async () => {
    const keyDir = temp("wxdev-enc-key-");
    execFileSync("cp", [sshd.clientKey, join(keyDir, "k")]);
    execFileSync("ssh-keygen", ["-q", "-p", "-N", "open sesame", "-f", join(keyDir, "k")]);
    const { dir } = project({ privateKey: join(keyDir, "k") });
    const ok = await deploy(dir, ["--yes"], { WXDEV_SSH_PASSPHRASE: "open sesame" });
    expect(ok.code, ok.stderr).toBe(0);
    const without = await deploy(dir, []);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(`(tried: ${join(keyDir, "k")} (locked, and no passphrase given))`);
  });

  it("--check does a signed handshake through checkUrl and names a 404", async () => {
    const { startServe } = await import("../helpers/wechat-servers.js");
    const app = await startServe([], { WXDEV_TOKEN: "checktoken" });
    try {
      const good = project({ checkUrl: app.url });
      const passed = await deploy(good.dir, ["--yes"], { WXDEV_TOKEN: "checktoken" });
      expect(passed.code, passed.stderr).toBe(0);
      expect(passed.stdout).toContain(`✓ handshake through ${app.url}`);
      const bad = project({ checkUrl: `${app.url}/` });
      const failed = await deploy(bad.dir, ["--yes"], { WXDEV_TOKEN: "checktoken" });
      expect(failed.code).toBe(1);
      expect(failed.stderr).toMatch(
        /the handshake through \S+ failed: HTTP 404: nothing at that path \(check the path/,
      );
    } finally {
      await app.close();
    }
  });

  it("permission denied on the server is one line, and the live directory stays as it was", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const before = remoteListing(remote);
    sshd.run(`chmod 555 ~/.${remote}.wxdev/releases`);
    writeFileSync(join(dir, "wechat.py"), "print('v3')\n");
    try {
      const denied = await deploy(dir, []);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/permission denied on the server \(the live directory is untouched\)/);
      expect(remoteListing(remote)).toBe(before);
    } finally {
      sshd.run(`chmod 755 ~/.${remote}.wxdev/releases`);
    }
  });

  it("keeps every mode exactly, whatever the server's umask (664, 775, 600)", async () => {
    const { dir, remote } = project();
    for (const [name, mode] of [
      ["shared.txt", 0o664],
      ["tool.sh", 0o775],
      ["secret.txt", 0o600],
    ] as const) {
      writeFileSync(join(dir, name), `${name}\n`);
      chmodSync(join(dir, name), mode);
    }
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const modes = sshd.run(`cd ~/${remote} && stat -c '%n %a' shared.txt tool.sh secret.txt`);
    expect(modes).toBe("shared.txt 664\ntool.sh 775\nsecret.txt 600\n");
  });

  it(
    "a file that becomes a folder, and a folder that becomes a file, deploy cleanly (with or " + "without --delete)",
    async () => {
      const { dir, remote } = project();
      writeFileSync(join(dir, "conf"), "old file\n");
      mkdirSync(join(dir, "lib"));
      writeFileSync(join(dir, "lib", "a.py"), "a\n");
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      rmSync(join(dir, "conf"));
      mkdirSync(join(dir, "conf"));
      writeFileSync(join(dir, "conf", "app.ini"), "[app]\n");
      rmSync(join(dir, "lib"), { recursive: true });
      writeFileSync(join(dir, "lib"), "now a file\n");
      const dry = await deploy(dir, ["--dry-run"]);
      expect(dry.stdout).toMatch(/replace 2/);
      const swapped = await deploy(dir, []);
      expect(swapped.code, swapped.stderr).toBe(0);
      expect(sshd.run(`cat ~/${remote}/conf/app.ini ~/${remote}/lib`)).toBe("[app]\nnow a file\n");
      const again = await deploy(dir, ["--delete", "--json"]);
      expect(JSON.parse(again.stdout)).toMatchObject({ uploaded: 0, deleted: 0 });
    },
  );

  it(
    ".gitignore (nested too) shapes only the default selection; named files go up even when " + "git ignores them",
    async () => {
      const { dir, remote } = project();
      mkdirSync(join(dir, "sub"));
      writeFileSync(join(dir, "sub", ".gitignore"), "*.tmp\n");
      writeFileSync(join(dir, "sub", "x.tmp"), "scratch\n");
      writeFileSync(join(dir, "sub", "keep.py"), "keep\n");
      writeFileSync(join(dir, ".gitignore"), "*.log\nbuild/\n");
      mkdirSync(join(dir, "build"));
      writeFileSync(join(dir, "build", "out.js"), "built\n");
      symlinkSync(join(dir, "nowhere"), join(dir, "ignored-link"));
      writeFileSync(join(dir, ".wxdevignore"), "ignored-link\n");
      const first = await deploy(dir, ["--yes"]);
      expect(first.code, first.stderr).toBe(0);
      const listing = remoteListing(remote);
      expect(listing).toContain("./sub/keep.py");
      expect(listing).not.toContain("x.tmp");
      expect(listing).not.toContain("build/out.js");
      const named = await deploy(dir, ["./build/out.js", "--json"]);
      expect(JSON.parse(named.stdout)).toMatchObject({ uploaded: 1 });
      expect(sshd.run(`cat ~/${remote}/build/out.js`)).toBe("built\n");
    },
  );

  it("--dry-run leaves a server it never deployed to exactly as it was", async () => {
    const { dir, remote } = project();
    const dry = await deploy(dir, ["--yes", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/plan: upload 5/);
    expect(sshd.run(`ls -a ~ | grep -c -- '${remote}' || true`).trim()).toBe("0");
  });

  it("--rollback runs postDeploy (the app restarts on the old files) and takes no --dry-run", async () => {
    const { dir, remote } = project({ postDeploy: "echo restarted with $(cat wechat.py)" });
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "v2\n");
    expect((await deploy(dir, [])).code).toBe(0);
    const refused = await deploy(dir, ["--rollback", "--dry-run"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--rollback takes no --dry-run/);
    expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("v2\n");
    const back = await deploy(dir, ["--rollback"]);
    expect(back.code, back.stderr).toBe(0);
    expect(back.stdout).toContain("restarted with print('hello from wechat.py')");
  });

  it("a post-deploy command killed by a signal says so (and how pkill -f kills its own shell)", async () => {
    const { dir } = project();
    // Unanchored, the pattern matches the shell that runs the command (its command line holds it), as in class.
    const killed = await deploy(dir, ["--yes", "--exec", "pkill -f 'python never-reached.py'; echo survived"]);
    expect(killed.stdout).not.toContain("survived");
    expect(killed.code, killed.stderr).toBe(1);
    expect(killed.stderr).toMatch(/post-deploy command was killed by signal SIGTERM \(pkill -f also matches the shell/);
  });

  it("an unreadable privateKey is named, not hidden behind a generic auth failure", async () => {
    const { dir } = project({ privateKey: "/nonexistent/key" });
    const result = await deploy(dir, ["--yes"], { WXDEV_SSH_PASSWORD: "whatever" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read the private key \/nonexistent\/key/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
  });

  it("deploying some paths uploads and records only those; a later full deploy sees the rest unchanged", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "print('only this')\n");
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\necho changed too\n");
    const some = await deploy(dir, ["wechat.py", "--delete", "--json"]);
    expect(JSON.parse(some.stdout)).toMatchObject({ uploaded: 1, deleted: 0, unchanged: 0 });
    expect(sshd.run(`cat ~/${remote}/run.sh`)).toBe("#!/bin/sh\necho run\n");
    const rest = await deploy(dir, ["--json"]);
    expect(JSON.parse(rest.stdout)).toMatchObject({ uploaded: 1, unchanged: 4 });
  });
  /** Spawns a deploy in the background, collecting its output. */
  function background(dir: string, args: string[]) {
    const child = spawn(process.execPath, [BIN, "deploy", "s8013", ...args], {
      cwd: dir,
      env: cleanEnv({ HOME: clientHome }),
      stdio: ["ignore", "pipe", "pipe"],
    });
    const result = { stdout: "", stderr: "", code: undefined as number | null | undefined };
    child.stdout?.on("data", (chunk: Buffer) => (result.stdout += chunk.toString()));
    child.stderr?.on("data", (chunk: Buffer) => (result.stderr += chunk.toString()));
    const done = new Promise<typeof result>((resolve) =>
      child.once("exit", (code) => resolve(Object.assign(result, { code }))),
    );
    return { child, result, done };
  }
  const until = async (ready: () => boolean, what: string): Promise<void> => {
    for (let i = 0; i < 800 && !ready(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!ready()) throw new Error(`timed out waiting for ${what}`);
  };
  const partials = (remote: string): number =>
    Number(sshd.run(`ls ~/.${remote}.wxdev/releases | grep -c partial || true`).trim());
  const sha256 = (data: Buffer): string => createHash("sha256").update(data).digest("hex");

  it("two concurrent deploys: the second waits for the first's lock (never deletes its release " +
    "in progress); the live release is whole", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const big = randomBytes(96 * 1024 * 1024);
    writeFileSync(join(dir, "big.bin"), big);
    const first = background(dir, []);
    await until(() => partials(remote) > 0, "the first deploy's upload");
    const second = await deploy(dir, ["--json"]);
    const firstResult = await first.done;
    expect(firstResult.code, firstResult.stderr).toBe(0);
    // Either it waited and found nothing left to do, or it gave up naming the first deploy.
    if (second.code === 0) expect(JSON.parse(second.stdout)).toMatchObject({ uploaded: 0 });
    else
      expect(second.stderr).toMatch(
        new RegExp(`another deploy to this server is under way \\(.*pid ${first.child.pid}`),
      );
    expect(sshd.run(`sha256sum ~/${remote}/big.bin`).split(" ")[0]).toBe(sha256(big));
    expect(partials(remote)).toBe(0);
    rmSync(join(dir, "big.bin"));
  }, 60_000);

  it("a deploy that finds the lock held waits a little, then fails naming the holder; the " +
    "holder finishes", async () => {
    const { dir, remote } = project();
    const holder = background(dir, ["--yes", "--exec", "echo holding; sleep 7"]);
    await until(() => holder.result.stdout.includes("holding"), "the first deploy's post command");
    const link = sshd.run(`readlink ~/${remote}`);
    writeFileSync(join(dir, "wechat.py"), "print('second')\n");
    const blocked = await deploy(dir, []);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(
      new RegExp(
        `another deploy to this server is under way \\(\\S+@\\S+ pid ${holder.child.pid}, since ` +
          "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); waited 5 s",
      ),
    );
    expect(blocked.stderr.trim().split("\n")).toHaveLength(1);
    expect((await holder.done).code).toBe(0);
    expect(sshd.run(`readlink ~/${remote}`)).toBe(link);
    expect(sshd.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
  }, 60_000);

  it(
    "a switch or rollback the server refuses (remoteDir's folder not writable) fails with exit " +
      "1, the live link unchanged",
    async () => {
      const parent = `nest-${randomBytes(3).toString("hex")}`;
      const { dir } = project({ remoteDir: `~/${parent}/app` });
      sshd.run(`mkdir -p ~/${parent}`);
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
      expect((await deploy(dir, [])).code).toBe(0);
      const link = sshd.run(`readlink ~/${parent}/app`);
      const releases = sshd.run(`ls ~/${parent}/.app.wxdev/releases`);
      chmodSync(join(sshd.home, parent), 0o555);
      try {
        writeFileSync(join(dir, "wechat.py"), "print('v3')\n");
        const switched = await deploy(dir, []);
        expect(switched.code).toBe(1);
        expect(switched.stderr).toMatch(
          /switching to the new release failed: permission denied on the server \(the live directory is untouched\)/,
        );
        expect(switched.stdout).not.toMatch(/uploaded/);
        const back = await deploy(dir, ["--rollback"]);
        expect(back.code).toBe(1);
        expect(back.stderr).toMatch(/rolling back failed: permission denied on the server/);
        expect(back.stdout).not.toMatch(/rolled back/);
        expect(sshd.run(`readlink ~/${parent}/app`)).toBe(link);
        expect(sshd.run(`cat ~/${parent}/app/wechat.py`)).toBe("print('v2')\n");
        // The refused release is gone, not left to confuse a rollback.
        expect(sshd.run(`ls ~/${parent}/.app.wxdev/releases`)).toBe(releases);
      } finally {
        chmodSync(join(sshd.home, parent), 0o755);
      }
    },
  );

  it(
    "--delete removes every file wxdev ever put there and the folders that leaves empty, even " +
      "after deploys without --delete",
    async () => {
      const { dir, remote } = project();
      mkdirSync(join(dir, "lib", "old"), { recursive: true });
      writeFileSync(join(dir, "lib", "old", "x.py"), "x\n");
      mkdirSync(join(dir, "data"));
      writeFileSync(join(dir, "data", "seed.json"), "{}\n");
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      sshd.run(`echo rows > ~/${remote}/data/app.db`); // the app's own file, next to a deployed one
      rmSync(join(dir, "lib"), { recursive: true });
      rmSync(join(dir, "data"), { recursive: true });
      unlinkSync(join(dir, "run.sh"));
      expect(JSON.parse((await deploy(dir, ["--json"])).stdout)).toMatchObject({ deleted: 0, kept: 3 });
      writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
      expect(JSON.parse((await deploy(dir, ["--json"])).stdout)).toMatchObject({ uploaded: 1, deleted: 0, kept: 3 });
      const deleted = await deploy(dir, ["--delete", "--json"]);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 3 });
      expect(sshd.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -print | sort`)).toBe(
        `${[
          ".",
          "./.env.example",
          "./.gitignore",
          "./data",
          "./data/app.db",
          "./templates",
          "./templates/index.html",
          "./wechat.py",
        ].join("\n")}\n`,
      );
      expect(JSON.parse((await deploy(dir, ["--delete", "--json"])).stdout)).toMatchObject({
        uploaded: 0,
        deleted: 0,
        kept: 0,
      });
    },
  );

  it("a connection dropped mid-upload is one line and exit 1; the live release is unchanged", async () => {
    const { createServer, connect } = await import("node:net");
    const sockets: import("node:net").Socket[] = [];
    const proxy = createServer((client) => {
      const upstream = connect(sshd.port, "127.0.0.1");
      sockets.push(client, upstream);
      client.pipe(upstream).pipe(client);
      client.on("error", () => undefined);
      upstream.on("error", () => undefined);
    });
    await new Promise<void>((resolve) => proxy.listen(0, "127.0.0.1", resolve));
    const port = (proxy.address() as import("node:net").AddressInfo).port;
    try {
      const { dir, remote } = project({ port });
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      const before = remoteListing(remote);
      writeFileSync(join(dir, "big.bin"), randomBytes(64 * 1024 * 1024));
      const cut = background(dir, []);
      await until(() => partials(remote) > 0, "the upload");
      for (const socket of sockets) socket.resetAndDestroy();
      const result = await cut.done;
      expect(result.code).toBe(1);
      const lostDuringUpload = /^wxdev: connection to s8013 lost during upload; the live release is unchanged — /;
      expect(result.stderr).toMatch(lostDuringUpload);
      expect(result.stderr.trim().split("\n")).toHaveLength(1);
      expect(remoteListing(remote)).toBe(before);
    } finally {
      proxy.close();
    }
  }, 60_000);

  it("Ctrl-C says what is live: unchanged during the upload, the new release once switched", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const before = remoteListing(remote);
    writeFileSync(join(dir, "big.bin"), randomBytes(64 * 1024 * 1024));
    const uploading = background(dir, []);
    await until(() => partials(remote) > 0, "the upload");
    uploading.child.kill("SIGINT");
    const stopped = await uploading.done;
    expect(stopped.code).toBe(130);
    expect(stopped.stderr).toMatch(/interrupted: the live release is unchanged/);
    expect(remoteListing(remote)).toBe(before);
    const posting = background(dir, ["--exec", "echo restarting; sleep 10"]);
    await until(() => posting.result.stdout.includes("restarting"), "the post-deploy command");
    posting.child.kill("SIGINT");
    const late = await posting.done;
    expect(late.code).toBe(130);
    const live = sshd.run(`readlink ~/${remote}`).trim();
    expect(late.stderr).toContain(`interrupted: release ${live.slice(live.lastIndexOf("/") + 1)} is live`);
    expect(sshd.run(`ls ~/${remote}`)).toContain("big.bin");
    // The interrupted command is in deploy.log, with what it printed before the cut.
    const log = await wxdev(dir, ["logs", "s8013", "--deploy", "-n", "5"]);
    expect(log.code, log.stderr).toBe(0);
    expect(log.stdout).toMatch(/^--- wxdev post \S+ release \S+: echo restarting; sleep 10 ---\nrestarting$/m);
  }, 60_000);

  it("logs --deploy before any post-deploy command ran: says there is none (exit 1)", async () => {
    const { dir } = project();
    expect((await deploy(dir, ["--yes", "--no-post"])).code).toBe(0);
    const none = await wxdev(dir, ["logs", "s8013", "--deploy"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no deploy.log on the server yet: no post-deploy command has run there");
  });
});
