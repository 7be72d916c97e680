import { randomBytes } from "node:crypto";
import { chmodSync, mkdirSync, rmSync, symlinkSync, unlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type LocalServer, localEntry, startLocalServer } from "../helpers/local-server.js";
import { runMain } from "../helpers/main.js";
import { deployProject, partialReleases, writeRandomFile } from "../helpers/deploy-project.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

// Each test deploys a project of its own (its own remote folder and lock): they run side by side.
describe.concurrent("wxdev deploy: the remote scripts through a local shell", () => {
  let machine: LocalServer;
  let clientHome: string;

  beforeAll(async () => {
    await import("../../src/core/remote/ssh/connection.js");
    // Uploads as over a link of 8 MiB/s: the concurrent deploys' 16 MiB take two seconds, however fast this machine.
    machine = await startLocalServer({ inputBytesPerSecond: 8 * 1024 * 1024 });
    clientHome = temp("wxdev-client-home-");
  });
  afterAll(async () => machine?.stop());

  /** A project with a config for one server; remoteDir unique per project. */
  const project = (server: Record<string, unknown> = {}) =>
    deployProject(temp, (remote) => localEntry(machine, remote, server));

  const wxdev = (dir: string, args: string[], env: Record<string, string> = {}) =>
    runMain(args, { cwd: dir, env: { HOME: clientHome, ...env }, timeoutMs: 60_000 });
  const deploy = (dir: string, args: string[], env: Record<string, string> = {}) =>
    wxdev(dir, ["deploy", "s8013", ...args], env);
  const remoteListing = (remote: string): string =>
    machine.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -type f -printf '%p %m %s\\n' | sort`);

  it(
    "re-deploys incrementally: unchanged → 0 uploaded; one file changed → 1; --dry-run " + "changes nothing",
    async () => {
      const { dir, remote } = project();
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      const link = machine.run(`readlink ~/${remote}`);
      const unchanged = await deploy(dir, ["--json"]);
      expect(JSON.parse(unchanged.stdout)).toMatchObject({ uploaded: 0, unchanged: 5 });
      expect(machine.run(`readlink ~/${remote}`)).toBe(link);
      writeFileSync(join(dir, "wechat.py"), "print('changed')\n");
      const dry = await deploy(dir, ["--dry-run"]);
      expect(dry.code).toBe(0);
      expect(dry.stdout).toMatch(/plan: upload 1 .*unchanged 4/);
      expect(dry.stdout).toContain("~ wechat.py"); // changed, not new
      expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
      const one = await deploy(dir, []);
      expect(one.code).toBe(0);
      expect(one.stdout).toMatch(/^uploaded 1 file \(0\.0 KiB\), deleted 0, unchanged 4, in \d+\.\d+ s/m);
      expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("print('changed')\n");
    },
  );

  it("--delete removes only files an earlier deploy put there", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    machine.run(`echo mine > ~/${remote}/made-on-server.txt`);
    unlinkSync(join(dir, "run.sh"));
    const kept = await deploy(dir, ["--json"]);
    expect(JSON.parse(kept.stdout)).toMatchObject({ deleted: 0, kept: 1 });
    expect(machine.run(`ls ~/${remote}`)).toContain("run.sh");
    const deleted = await deploy(dir, ["--delete", "--json"]);
    expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 1 });
    const files = machine.run(`ls ~/${remote}`);
    expect(files).not.toContain("run.sh");
    expect(files).toContain("made-on-server.txt");
  });

  it("--rollback returns to the previous release", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
    expect((await deploy(dir, [])).code).toBe(0);
    expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("print('v2')\n");
    const back = await deploy(dir, ["--rollback"]);
    expect(back.code).toBe(0);
    expect(back.stdout).toMatch(/rolled back s8013: \S+ → \S+/);
    expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
  });

  it("a new release never writes into the previous one, nor shares the app's own files with it", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const first = machine.run(`readlink ~/${remote}`).trim();
    const firstManifest = machine.run(`cat ${first}/.wxdev/manifest.json`);
    machine.run(`echo v1 log > ~/${remote}/app.log`);
    writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
    chmodSync(join(dir, "run.sh"), 0o700);
    expect((await deploy(dir, [])).code).toBe(0);
    const second = machine.run(`readlink ~/${remote}`).trim();
    expect(second).not.toBe(first);
    expect(machine.run(`cat ${first}/wechat.py; stat -c %a ${first}/run.sh`)).toBe(
      "print('hello from wechat.py')\n755\n",
    );
    expect(machine.run(`cat ${first}/.wxdev/manifest.json`)).toBe(firstManifest);
    machine.run(`echo v2 log > ~/${remote}/app.log`); // the app, restarted in the new release
    expect(machine.run(`cat ${first}/app.log ${second}/app.log`)).toBe("v1 log\nv2 log\n");
  });

  it(
    "postDeploy runs in a login shell in the remote dir (workon from ~/.bashrc), output " +
      "streamed; its exit code counts",
    async () => {
      const { dir } = project({ postDeploy: 'workon wechat && echo "venv=$VIRTUAL_ENV cwd=$(basename $PWD)"' });
      const ok = await deploy(dir, ["--yes"]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain("(workon wechat)");
      expect(ok.stdout).toContain(`venv=${machine.home}/.virtualenvs/wechat cwd=app-`);
      const failing = await deploy(dir, ["--exec", "echo about to fail >&2; exit 3"]);
      expect(failing.code).toBe(1);
      expect(failing.stderr).toMatch(/post-deploy command exited with 3: about to fail/);
      const skipped = await deploy(dir, ["--no-post"]);
      expect(skipped.code, skipped.stderr).toBe(0);
      expect(skipped.stdout).not.toContain("workon");
    },
  );

  it("bad input: unknown server, unreachable host, a broken symlink — one line each, nothing uploaded", async () => {
    const { dir, remote } = project();
    const unknownServer = await wxdev(dir, ["deploy", "s9999"]);
    expect(unknownServer.code).toBe(2);
    expect(unknownServer.stderr).toMatch(/unknown server "s9999".*known servers: s8013/);
    expect(unknownServer.stderr.trim().split("\n")).toHaveLength(1);
    const closed = project({ port: 9 });
    const unreachable = await wxdev(closed.dir, ["deploy", "s8013"]);
    expect(unreachable.code).toBe(1);
    expect(unreachable.stderr).toMatch(
      new RegExp(`cannot connect to ${machine.user}@127\\.0\\.0\\.1:9: connection refused`),
    );
    expect(unreachable.stderr.trim().split("\n")).toHaveLength(1);
    symlinkSync(join(dir, "nowhere"), join(dir, "dangling"));
    const broken = await deploy(dir, ["--yes"]);
    expect(broken.code).toBe(2);
    expect(broken.stderr).toMatch(/dangling is a broken symlink/);
    expect(broken.stderr.trim().split("\n")).toHaveLength(1);
    expect(machine.run(`ls -a ~ | grep -c '^${remote}$' || true`).trim()).toBe("0");
    rmSync(join(dir, "dangling"));
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
    machine.run(`chmod 555 ~/.${remote}.wxdev/releases`);
    writeFileSync(join(dir, "wechat.py"), "print('v3')\n");
    try {
      const denied = await deploy(dir, []);
      expect(denied.code).toBe(1);
      expect(denied.stderr).toMatch(/permission denied on the server \(the live directory is untouched\)/);
      expect(remoteListing(remote)).toBe(before);
    } finally {
      machine.run(`chmod 755 ~/.${remote}.wxdev/releases`);
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
    const modes = machine.run(`cd ~/${remote} && stat -c '%n %a' shared.txt tool.sh secret.txt`);
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
      expect(machine.run(`cat ~/${remote}/conf/app.ini ~/${remote}/lib`)).toBe("[app]\nnow a file\n");
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
      expect(machine.run(`cat ~/${remote}/build/out.js`)).toBe("built\n");
    },
  );

  it("--dry-run leaves a server it never deployed to exactly as it was", async () => {
    const { dir, remote } = project();
    const dry = await deploy(dir, ["--yes", "--dry-run"]);
    expect(dry.code, dry.stderr).toBe(0);
    expect(dry.stdout).toMatch(/plan: upload 5/);
    expect(machine.run(`ls -a ~ | grep -c -- '${remote}' || true`).trim()).toBe("0");
  });

  it("--rollback runs postDeploy (the app restarts on the old files) and takes no --dry-run", async () => {
    const { dir, remote } = project({ postDeploy: "echo restarted with $(cat wechat.py)" });
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "v2\n");
    expect((await deploy(dir, [])).code).toBe(0);
    const refused = await deploy(dir, ["--rollback", "--dry-run"]);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/--rollback takes no --dry-run/);
    expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("v2\n");
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

  it("deploying some paths uploads and records only those; a later full deploy sees the rest unchanged", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    writeFileSync(join(dir, "wechat.py"), "print('only this')\n");
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh\necho changed too\n");
    const some = await deploy(dir, ["wechat.py", "--delete", "--json"]);
    expect(JSON.parse(some.stdout)).toMatchObject({ uploaded: 1, deleted: 0, unchanged: 0 });
    expect(machine.run(`cat ~/${remote}/run.sh`)).toBe("#!/bin/sh\necho run\n");
    const rest = await deploy(dir, ["--json"]);
    expect(JSON.parse(rest.stdout)).toMatchObject({ uploaded: 1, unchanged: 4 });
  });
  /** Starts a deploy (in this process, so its lock names this pid), telling what it printed so far. */
  function background(dir: string, args: string[]) {
    const result = { stdout: "" };
    const done = runMain(["deploy", "s8013", ...args], {
      cwd: dir,
      env: { HOME: clientHome },
      timeoutMs: 60_000,
      onStdout: (sofar) => (result.stdout = sofar),
    });
    return { pid: process.pid, result, done };
  }
  /** Polls `ready` for up to 30 s (a busy machine runs other test files beside this one). */
  const until = async (ready: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!ready()) throw new Error(`timed out waiting for ${what}`);
  };
  const partials = (remote: string): number => partialReleases(machine.home, remote);

  it("two concurrent deploys: the second waits for the first's lock (never deletes its release " +
    "in progress); the live release is whole", async () => {
    const { dir, remote } = project();
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const big = writeRandomFile(join(dir, "big.bin"), 16);
    const first = background(dir, []);
    await until(() => partials(remote) > 0, "the first deploy's upload");
    const second = await deploy(dir, ["--json"]);
    const firstResult = await first.done;
    expect(firstResult.code, firstResult.stderr).toBe(0);
    // Either it waited and found nothing left to do, or it gave up naming the first deploy.
    if (second.code === 0) expect(JSON.parse(second.stdout)).toMatchObject({ uploaded: 0 });
    else expect(second.stderr).toMatch(new RegExp(`another deploy to this server is under way \\(.*pid ${first.pid}`));
    expect(machine.run(`sha256sum ~/${remote}/big.bin`).split(" ")[0]).toBe(big);
    expect(partials(remote)).toBe(0);
    rmSync(join(dir, "big.bin"));
  }, 60_000);

  it("a deploy that finds the lock held waits a little, then fails naming the holder; the " +
    "holder finishes", async () => {
    const { dir, remote } = project();
    // Held until the other deploy is through (at most 50 s), however busy the machine: a fixed hold could end first.
    const hold = `echo holding; i=0; until [ -e ~/${remote}.go ] || [ $i -ge 500 ]; do sleep 0.1; i=$((i+1)); done`;
    const holder = background(dir, ["--yes", "--exec", hold]);
    await until(() => holder.result.stdout.includes("holding"), "the first deploy's post command");
    const link = machine.run(`readlink ~/${remote}`);
    writeFileSync(join(dir, "wechat.py"), "print('second')\n");
    const blocked = await deploy(dir, []);
    expect(blocked.code).toBe(1);
    expect(blocked.stderr).toMatch(
      new RegExp(
        `another deploy to this server is under way \\(\\S+@\\S+ pid ${holder.pid}, since ` +
          "\\d{4}-\\d\\d-\\d\\dT[\\d:.]+Z\\); waited 5 s",
      ),
    );
    expect(blocked.stderr.trim().split("\n")).toHaveLength(1);
    machine.run(`touch ~/${remote}.go`);
    expect((await holder.done).code).toBe(0);
    expect(machine.run(`readlink ~/${remote}`)).toBe(link);
    expect(machine.run(`cat ~/${remote}/wechat.py`)).toBe("print('hello from wechat.py')\n");
  }, 60_000);

  it(
    "a switch or rollback the server refuses (remoteDir's folder not writable) fails with exit " +
      "1, the live link unchanged",
    async () => {
      const parent = `nest-${randomBytes(3).toString("hex")}`;
      const { dir } = project({ remoteDir: `~/${parent}/app` });
      machine.run(`mkdir -p ~/${parent}`);
      expect((await deploy(dir, ["--yes"])).code).toBe(0);
      writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
      expect((await deploy(dir, [])).code).toBe(0);
      const link = machine.run(`readlink ~/${parent}/app`);
      const releases = machine.run(`ls ~/${parent}/.app.wxdev/releases`);
      chmodSync(join(machine.home, parent), 0o555);
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
        expect(machine.run(`readlink ~/${parent}/app`)).toBe(link);
        expect(machine.run(`cat ~/${parent}/app/wechat.py`)).toBe("print('v2')\n");
        // The refused release is gone, not left to confuse a rollback.
        expect(machine.run(`ls ~/${parent}/.app.wxdev/releases`)).toBe(releases);
      } finally {
        chmodSync(join(machine.home, parent), 0o755);
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
      machine.run(`echo rows > ~/${remote}/data/app.db`); // the app's own file, next to a deployed one
      rmSync(join(dir, "lib"), { recursive: true });
      rmSync(join(dir, "data"), { recursive: true });
      unlinkSync(join(dir, "run.sh"));
      expect(JSON.parse((await deploy(dir, ["--json"])).stdout)).toMatchObject({ deleted: 0, kept: 3 });
      writeFileSync(join(dir, "wechat.py"), "print('v2')\n");
      expect(JSON.parse((await deploy(dir, ["--json"])).stdout)).toMatchObject({ uploaded: 1, deleted: 0, kept: 3 });
      const deleted = await deploy(dir, ["--delete", "--json"]);
      expect(JSON.parse(deleted.stdout)).toMatchObject({ deleted: 3 });
      expect(machine.run(`cd ~/${remote} && find . -path ./.wxdev -prune -o -print | sort`)).toBe(
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

  it("logs --deploy before any post-deploy command ran: says there is none (exit 1)", async () => {
    const { dir } = project();
    expect((await deploy(dir, ["--yes", "--no-post"])).code).toBe(0);
    const none = await wxdev(dir, ["logs", "s8013", "--deploy"]);
    expect(none.code).toBe(1);
    expect(none.stderr).toContain("no deploy.log on the server yet: no post-deploy command has run there");
  });
});
