import { spawn, spawnSync } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { execFileSync } from "node:child_process";
import { afterAll, beforeAll, describe, expect, it, onTestFinished } from "vitest";
import { BIN, cleanEnv, runCli } from "../helpers/cli.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { deployProject, partialReleases, writeRandomFile } from "../helpers/deploy-project.js";
import { slowProxy } from "../helpers/net.js";
import { tempDirs } from "../helpers/temp.js";
import { passphraseOptions } from "../helpers/key-passphrase.js";

/** What the tests that stop an upload midway let through: 4 MiB take 16 s, so the upload is surely under way. */
const UPLOAD_RATE = 256 * 1024;

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
  const project = (server: Record<string, unknown> = {}) =>
    deployProject(temp, (remote) => serverEntry(sshd, remote, server));

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

  it("a deploy killed midway leaves the live directory exactly as it was; the next one succeeds", async () => {
    const { proxy, dir, remote, before } = await uploadUnderWay();
    const killed = background(dir, []);
    await until(() => partials(remote) > 0, "the upload"); // killed while the upload was really under way
    killed.child.kill("SIGKILL");
    await killed.done;
    expect(remoteListing(remote)).toBe(before);
    proxy.slow = false;
    const next = await deploy(dir, ["--json"]);
    expect(next.code).toBe(0);
    expect(JSON.parse(next.stdout).uploaded).toBe(1);
    expect(sshd.run(`ls ~/.${remote}.wxdev/releases`)).not.toContain("partial");
  }, 60_000);

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
    execFileSync("ssh-keygen", ["-q", "-p", ...passphraseOptions("open sesame"), "-f", join(keyDir, "k")]);
    const { dir } = project({ privateKey: join(keyDir, "k") });
    const ok = await deploy(dir, ["--yes"], { WXDEV_SSH_PASSPHRASE: "open sesame" });
    expect(ok.code, ok.stderr).toBe(0);
    const without = await deploy(dir, []);
    expect(without.code).toBe(1);
    expect(without.stderr).toContain(`(tried: ${join(keyDir, "k")} (locked, and no passphrase given))`);
  });

  it("an unreadable privateKey is named, not hidden behind a generic auth failure", async () => {
    const { dir } = project({ privateKey: "/nonexistent/key" });
    const result = await deploy(dir, ["--yes"], { WXDEV_SSH_PASSWORD: "whatever" });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/cannot read the private key \/nonexistent\/key/);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
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
  /** Polls `ready` for up to 30 s (a busy machine runs other test files beside this one). */
  const until = async (ready: () => boolean, what: string): Promise<void> => {
    const deadline = Date.now() + 30_000;
    while (!ready() && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
    if (!ready()) throw new Error(`timed out waiting for ${what}`);
  };
  const partials = (remote: string): number => partialReleases(sshd.home, remote);
  /**
   * A project deployed once through a slowProxy (closed when the test ends), with a 4 MiB file added since: the
   * next deploy's upload through the proxy is under way for a while. `before`: the live files as they are.
   */
  async function uploadUnderWay() {
    const proxy = await slowProxy(sshd.port, UPLOAD_RATE);
    onTestFinished(() => proxy.close());
    const { dir, remote } = project({ port: proxy.port });
    expect((await deploy(dir, ["--yes"])).code).toBe(0);
    const before = remoteListing(remote);
    writeRandomFile(join(dir, "big.bin"), 4);
    return { proxy, dir, remote, before };
  }

  it("a connection dropped mid-upload is one line and exit 1; the live release is unchanged", async () => {
    const { proxy, dir, remote, before } = await uploadUnderWay();
    const cut = background(dir, []);
    await until(() => partials(remote) > 0, "the upload");
    proxy.cut();
    const result = await cut.done;
    expect(result.code).toBe(1);
    const lostDuringUpload = /^wxdev: connection to s8013 lost during upload; the live release is unchanged — /;
    expect(result.stderr).toMatch(lostDuringUpload);
    expect(result.stderr.trim().split("\n")).toHaveLength(1);
    expect(remoteListing(remote)).toBe(before);
  }, 60_000);

  it("Ctrl-C says what is live: unchanged during the upload, the new release once switched", async () => {
    const { proxy, dir, remote, before } = await uploadUnderWay();
    const uploading = background(dir, []);
    await until(() => partials(remote) > 0, "the upload");
    uploading.child.kill("SIGINT");
    proxy.slow = false; // what the interrupted deploy still sends on its way out is no longer held back
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
});
