import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { serverEntry, sshdMissing, startSshd, type TestSshd } from "../helpers/sshd.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const missing = sshdMissing();
if (missing) console.warn(`skipping the known_hosts tests: ${missing}`);

type Verdict = "accepted" | "changed" | "refused";

/** A fresh public key line ("type base64"), not any server's. */
function strangerKey(type: "rsa" | "ed25519"): string {
  const dir = temp("wxdev-stranger-");
  execFileSync("ssh-keygen", [
    "-q",
    "-t",
    type,
    ...(type === "rsa" ? ["-b", "2048"] : []),
    "-N",
    "",
    "-f",
    join(dir, "k"),
  ]);
  return readFileSync(join(dir, "k.pub"), "utf8").split(" ").slice(0, 2).join(" ");
}

const typeAndBlob = (publicKey: string): string => publicKey.split(" ").slice(0, 2).join(" ");

/**
 * Host key verification, wxdev and OpenSSH side by side, each with its own copy of the same
 * known_hosts: ssh in batch mode with every auth method off, so "Permission denied" means the key passed.
 */
describe.skipIf(missing !== undefined)("known_hosts: wxdev decides as OpenSSH's ssh does", () => {
  let edOnly: TestSshd;
  let dual: TestSshd;

  beforeAll(async () => {
    edOnly = await startSshd();
    dual = await startSshd({ rsaHostKey: true });
  }, 30_000);
  afterAll(async () => {
    await edOnly?.stop();
    await dual?.stop();
  });

  function ssh(sshd: TestSshd, knownHosts: string, strict: "yes" | "accept-new"): { verdict: Verdict; file: string } {
    const file = join(temp("wxdev-ssh-kh-"), "known_hosts");
    writeFileSync(file, knownHosts);
    const options = [
      "BatchMode=yes",
      `UserKnownHostsFile=${file}`,
      "GlobalKnownHostsFile=/dev/null",
      `StrictHostKeyChecking=${strict}`,
      "PubkeyAuthentication=no",
      "PasswordAuthentication=no",
      "KbdInteractiveAuthentication=no",
      "CheckHostIP=no",
    ];
    const result = spawnSync(
      "ssh",
      [
        "-F",
        "/dev/null",
        ...options.flatMap((option) => ["-o", option]),
        "-p",
        String(sshd.port),
        `${sshd.user}@${sshd.host}`,
        "true",
      ],
      { encoding: "utf8", env: { PATH: process.env.PATH } },
    );
    const verdict = /REMOTE HOST IDENTIFICATION HAS CHANGED/.test(result.stderr)
      ? "changed"
      : /Permission denied/.test(result.stderr)
        ? "accepted"
        : /Host key verification failed/.test(result.stderr)
          ? "refused"
          : undefined;
    if (verdict === undefined) throw new Error(`ssh said: ${result.stderr}`);
    return { verdict, file };
  }

  async function wxdev(
    sshd: TestSshd,
    knownHosts: string,
    yes: boolean,
  ): Promise<{ verdict: Verdict; file: string; stderr: string }> {
    const dir = temp("wxdev-kh-project-");
    const home = temp("wxdev-kh-home-");
    mkdirSync(join(home, ".ssh"));
    const file = join(home, ".ssh", "known_hosts");
    writeFileSync(file, knownHosts);
    writeFileSync(join(dir, "app.py"), "print(1)\n");
    const server = serverEntry(sshd, `kh-${randomBytes(4).toString("hex")}`);
    writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s: server } }));
    const result = await runMain(["deploy", "s", "--dry-run", ...(yes ? ["--yes"] : [])], {
      cwd: dir,
      env: { HOME: home },
      timeoutMs: 30_000,
    });
    const verdict =
      result.code === 0
        ? "accepted"
        : result.code === 1 && /has CHANGED/.test(result.stderr)
          ? "changed"
          : result.code === 2
            ? "refused"
            : undefined;
    if (verdict === undefined) throw new Error(`wxdev exited ${result.code}: ${result.stderr}`);
    return { verdict, file, stderr: result.stderr };
  }

  /**
   * Both tools on one known_hosts text: strict (no --yes, StrictHostKeyChecking=yes), then trusting
   * new hosts (--yes, accept-new).
   */
  async function compare(
    sshd: TestSshd,
    knownHosts: string,
  ): Promise<{ strict: [Verdict, Verdict]; acceptNew: [Verdict, Verdict]; files: string[] }> {
    const strictSsh = ssh(sshd, knownHosts, "yes");
    const strictWxdev = await wxdev(sshd, knownHosts, false);
    const newSsh = ssh(sshd, knownHosts, "accept-new");
    const newWxdev = await wxdev(sshd, knownHosts, true);
    return {
      strict: [strictSsh.verdict, strictWxdev.verdict],
      acceptNew: [newSsh.verdict, newWxdev.verdict],
      files: [newSsh.file, newWxdev.file],
    };
  }

  it("an RSA key listed, the server offers only ed25519: CHANGED, even with --yes; nothing is added", async () => {
    const knownHosts = `[127.0.0.1]:${edOnly.port} ${strangerKey("rsa")}\n`;
    const result = await compare(edOnly, knownHosts);
    expect(result.strict).toEqual(["changed", "changed"]);
    expect(result.acceptNew).toEqual(["changed", "changed"]);
    for (const file of result.files) expect(readFileSync(file, "utf8")).toBe(knownHosts);
  }, 60_000);

  it("the server's own RSA key listed, the server has ed25519 too: the RSA key is negotiated " +
    "and accepted; a stranger's RSA key is CHANGED", async () => {
    const own = await compare(dual, `[127.0.0.1]:${dual.port} ${typeAndBlob(dual.rsaHostPublicKey!)}\n`);
    expect(own.strict).toEqual(["accepted", "accepted"]);
    const stranger = await compare(dual, `[127.0.0.1]:${dual.port} ${strangerKey("rsa")}\n`);
    expect(stranger.acceptNew).toEqual(["changed", "changed"]);
  }, 60_000);

  it("negated patterns: a matching !pattern makes the line not match", async () => {
    const key = typeAndBlob(edOnly.hostPublicKey);
    const negated = await compare(edOnly, `*,!127.0.0.1,![127.0.0.1]:${edOnly.port} ${key}\n`);
    expect(negated.strict).toEqual(["refused", "refused"]);
    expect(negated.acceptNew).toEqual(["accepted", "accepted"]);
    // Negating another host, or only the port's name (the portless look-up still finds the key).
    expect((await compare(edOnly, `*,!10.0.0.1 ${key}\n`)).strict).toEqual(["accepted", "accepted"]);
    expect((await compare(edOnly, `*,![127.0.0.1]:${edOnly.port} ${key}\n`)).strict).toEqual(["accepted", "accepted"]);
  }, 60_000);

  it("a portless entry off port 22: its very key is accepted, another key is a new host, not a " +
    "changed one", async () => {
    const own = await compare(edOnly, `127.0.0.1 ${typeAndBlob(edOnly.hostPublicKey)}\n`);
    expect(own.strict).toEqual(["accepted", "accepted"]);
    const other = await compare(edOnly, `127.0.0.1 ${strangerKey("ed25519")}\n`);
    expect(other.strict).toEqual(["refused", "refused"]);
    expect(other.acceptNew).toEqual(["accepted", "accepted"]);
  }, 60_000);

  it("hashed entries (ssh-keygen -H) match the same way", async () => {
    const dir = temp("wxdev-hashed-");
    const file = join(dir, "known_hosts");
    writeFileSync(file, `[127.0.0.1]:${dual.port} ${typeAndBlob(dual.rsaHostPublicKey!)}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", file], { stdio: "ignore" });
    const hashed = readFileSync(file, "utf8");
    expect(hashed).toMatch(/^\|1\|/);
    expect((await compare(dual, hashed)).strict).toEqual(["accepted", "accepted"]);
  }, 60_000);

  it("@cert-authority only: ssh refuses strictly; wxdev refuses even with --yes, saying host " +
    "certificates are not supported", async () => {
    const knownHosts = `@cert-authority * ${strangerKey("ed25519")}\n`;
    expect(ssh(edOnly, knownHosts, "yes").verdict).toBe("refused");
    const refused = await wxdev(edOnly, knownHosts, true);
    expect(refused.verdict).toBe("refused");
    expect(refused.stderr).toMatch(
      /only with @cert-authority, and host certificates are not supported by wxdev.*ssh-keyscan/,
    );
    expect(refused.stderr.trim().split("\n")).toHaveLength(1);
    expect(readFileSync(refused.file, "utf8")).toBe(knownHosts);
  }, 60_000);
});
