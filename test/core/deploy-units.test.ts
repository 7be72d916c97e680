import { execFileSync, spawnSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  addKnownHost,
  checkHostKey,
  fingerprint,
  hostPattern,
  keyType,
  preferredHostKeyAlgorithms,
} from "../../src/core/remote/known-hosts.js";
import { hashFiles, scanProject } from "../../src/core/deploy/manifest.js";
import { appPortOf, nginxConfig } from "../../src/core/deploy/nginx.js";
import { emptiedFolders, planDeploy } from "../../src/core/deploy/plan.js";
import { remoteLayout } from "../../src/core/deploy/remote.js";
import type { RemoteShell } from "../../src/core/remote/shell.js";
import { verifyUpload } from "../../src/core/deploy/verify.js";

function keypair(): { blob: Buffer; line: string } {
  const dir = mkdtempSync(join(tmpdir(), "wxdev-key-"));
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "k")]);
  const line = readFileSync(join(dir, "k.pub"), "utf8").trim();
  return { blob: Buffer.from(line.split(" ")[1]!, "base64"), line };
}

describe("known_hosts", () => {
  const key = keypair();
  const other = keypair();

  it("reads plain, [host]:port and comma-separated names", () => {
    const [type, blob] = key.line.split(" ");
    expect(checkHostKey(`example.com,10.0.0.1 ${type} ${blob}\n`, "example.com", 22, key.blob)).toBe("known");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("known");
    // Off port 22 ssh also looks the host up without the port, and takes only that very key from it.
    expect(checkHostKey(`127.0.0.1 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("known");
    expect(checkHostKey(`127.0.0.1 ${other.line}\n`, "127.0.0.1", 2222, key.blob)).toBe("unknown");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 22, key.blob)).toBe("unknown");
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${other.line.split(" ")[1]}\n`, "127.0.0.1", 2222, key.blob)).toBe(
      "changed",
    );
    expect(checkHostKey(`@revoked [127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("revoked");
    // A revocation wins wherever it stands, as OpenSSH reads the file.
    expect(
      checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n@revoked * ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob),
    ).toBe("revoked");
    expect(checkHostKey("", "h", 22, key.blob)).toBe("unknown");
  });

  it(
    "any other key listed for the host, of any type, is a changed key; a matching !pattern " +
      "drops the line; @cert-authority alone is named",
    () => {
      const [type, blob] = key.line.split(" ");
      expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n`, "h", 2222, key.blob)).toBe("changed");
      expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n[h]:2222 ${type} ${blob}\n`, "h", 2222, key.blob)).toBe(
        "known",
      );
      expect(checkHostKey(`*,!h ${type} ${blob}\n`, "h", 22, key.blob)).toBe("unknown");
      expect(checkHostKey(`*,!h ${other.line}\n`, "h", 22, key.blob)).toBe("unknown");
      expect(checkHostKey(`*,!g ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
      expect(checkHostKey(`@cert-authority *.example ${other.line}\n`, "h.example", 22, key.blob)).toBe(
        "cert-authority",
      );
      expect(checkHostKey(`@cert-authority * ${other.line}\nh ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
    },
  );

  it("asks first for the algorithms of the key types listed for the host", () => {
    const text =
      `[h]:2222 ssh-rsa AAAA\n[h]:2222 ${key.line}\nh ecdsa-sha2-nistp256 AAAA\n@cert-authority ` +
      `[h]:2222 ${other.line}\n`;
    expect(preferredHostKeyAlgorithms(text, "h", 2222)).toEqual([
      "rsa-sha2-512",
      "rsa-sha2-256",
      "ssh-rsa",
      "ssh-ed25519",
    ]);
    expect(preferredHostKeyAlgorithms(text, "g", 22)).toEqual([]);
  });

  it("writes hashed entries that OpenSSH's ssh-keygen -F finds, and reads OpenSSH's own hashed entries", () => {
    const dir = mkdtempSync(join(tmpdir(), "wxdev-kh-"));
    const path = join(dir, ".ssh", "known_hosts");
    addKnownHost(path, "127.0.0.1", 2222, key.blob);
    expect(execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", path], { encoding: "utf8" })).toContain(
      key.line.split(" ")[1],
    );
    expect(checkHostKey(readFileSync(path, "utf8"), "127.0.0.1", 2222, key.blob)).toBe("known");
    const plain = join(dir, "plain_hosts");
    writeFileSync(
      plain,
      `[h.example]:22 ${other.line.split(" ").slice(0, 2).join(" ")}\nexample.org ` +
        `${other.line.split(" ").slice(0, 2).join(" ")}\n`,
    );
    execFileSync("ssh-keygen", ["-H", "-f", plain], { stdio: "ignore" });
    expect(readFileSync(plain, "utf8")).toMatch(/^\|1\|/);
    expect(checkHostKey(readFileSync(plain, "utf8"), "example.org", 22, other.blob)).toBe("known");
  });

  it("names types and fingerprints as OpenSSH does", () => {
    expect(keyType(key.blob)).toBe("ssh-ed25519");
    const dir = mkdtempSync(join(tmpdir(), "wxdev-fp-"));
    writeFileSync(join(dir, "k.pub"), key.line);
    expect(execFileSync("ssh-keygen", ["-l", "-f", join(dir, "k.pub")], { encoding: "utf8" })).toContain(
      fingerprint(key.blob),
    );
    expect(hostPattern("h", 22)).toBe("h");
  });
});

describe("scanProject", () => {
  function tree(): string {
    const dir = mkdtempSync(join(tmpdir(), "wxdev-scan-"));
    writeFileSync(join(dir, "app.py"), "a");
    writeFileSync(join(dir, ".env"), "secret-ish");
    writeFileSync(join(dir, "x.pyc"), "c");
    writeFileSync(join(dir, "run.sh"), "#!/bin/sh");
    chmodSync(join(dir, "run.sh"), 0o755);
    mkdirSync(join(dir, "templates"));
    writeFileSync(join(dir, "templates", "a.html"), "t");
    mkdirSync(join(dir, ".git"));
    writeFileSync(join(dir, ".git", "HEAD"), "ref");
    writeFileSync(join(dir, ".wxdevignore"), ".env\n");
    writeFileSync(join(dir, "wxdev.config.json"), "{}");
    return dir;
  }

  it("deploys dotfiles and keeps modes; leaves out .git, node_modules, the config and ignored patterns", async () => {
    const manifest = await scanProject({ root: tree(), ignore: ["*.pyc"] });
    expect(Object.keys(manifest)).toEqual([".wxdevignore", "app.py", "run.sh", "templates/a.html"]);
    expect(manifest["run.sh"]!.mode).toBe(0o755);
    expect(manifest["app.py"]).toMatchObject({
      size: 1,
      mode: 0o644,
      sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb",
    });
  });

  it('takes files patterns like the config\'s ["wechat.py", "templates/**"]', async () => {
    expect(Object.keys(await scanProject({ root: tree(), files: ["app.py", "templates/**"] }))).toEqual([
      "app.py",
      "templates/a.html",
    ]);
  });

  it(
    ".gitignore: nested ones count, the deepest decides (!keep.log), globs and folders in " +
      "files obey it, literal names do not",
    async () => {
      const root = tree();
      writeFileSync(join(root, ".gitignore"), "*.log\nbuild/\n.secret\n");
      mkdirSync(join(root, "sub"));
      writeFileSync(join(root, "sub", ".gitignore"), "*.tmp\n!keep.log\n");
      for (const name of ["x.tmp", "keep.log", "drop.log.old", "y.log"]) writeFileSync(join(root, "sub", name), name);
      mkdirSync(join(root, "build"));
      writeFileSync(join(root, "build", "out.js"), "o");
      mkdirSync(join(root, "app"));
      writeFileSync(join(root, "app", ".secret"), "s");
      writeFileSync(join(root, "app", "main.py"), "m");
      const all = Object.keys(await scanProject({ root }));
      expect(all).toEqual(expect.arrayContaining(["sub/keep.log", "sub/drop.log.old", "app/main.py"]));
      for (const left of ["sub/x.tmp", "sub/y.log", "build/out.js", "app/.secret"]) expect(all).not.toContain(left);
      const told: string[] = [];
      const globbed = Object.keys(
        await scanProject({ root, files: ["app/", "build/**"], onGitignored: (path) => told.push(path) }),
      );
      expect(globbed).toEqual(["app/main.py"]);
      expect(told.sort()).toEqual(["app/.secret", "build/"]);
      expect(Object.keys(await scanProject({ root, files: ["./build/out.js", "app/.secret"] }))).toEqual([
        "app/.secret",
        "build/out.js",
      ]);
    },
  );

  it("never follows an ignored or unselected symlink, broken or not", async () => {
    const root = tree();
    symlinkSync(join(root, "missing"), join(root, "dangling"));
    writeFileSync(join(root, ".wxdevignore"), "dangling\n");
    expect(Object.keys(await scanProject({ root }))).not.toContain("dangling");
    writeFileSync(join(root, ".wxdevignore"), "");
    expect(Object.keys(await scanProject({ root, files: ["app.py"] }))).toEqual(["app.py"]);
  });

  it("names a broken or looping symlink before anything happens", async () => {
    const broken = tree();
    symlinkSync(join(broken, "missing"), join(broken, "link"));
    await expect(scanProject({ root: broken })).rejects.toThrow(/link is a broken symlink/);
    const looping = tree();
    symlinkSync("self", join(looping, "self"));
    await expect(scanProject({ root: looping })).rejects.toThrow(/self is a looping symlink/);
    // A link back up the tree is only a link; following one (named, pointing out) still stops at the loop.
    const elsewhere = mkdtempSync(join(tmpdir(), "wxdev-elsewhere-"));
    symlinkSync(elsewhere, join(elsewhere, "back"));
    const root = tree();
    symlinkSync("..", join(root, "templates", "up"));
    expect(await scanProject({ root })).toHaveProperty(["templates/up", "link"], "..");
    symlinkSync(elsewhere, join(root, "ext"));
    await expect(scanProject({ root, files: ["ext", "ext/back"] })).rejects.toThrow(/symlink loop at ext\/back/);
  });

  it(
    "symlinks: inside the project they are links (target recorded, never followed); pointing " +
      "out they are refused, naming them, unless named",
    async () => {
      const secrets = mkdtempSync(join(tmpdir(), "wxdev-secrets-"));
      writeFileSync(join(secrets, "id_ed25519"), "PRIVATE KEY");
      writeFileSync(join(secrets, "hosts"), "127.0.0.1 localhost\n");
      const root = tree();
      symlinkSync("templates", join(root, "views"));
      symlinkSync("../app.py", join(root, "templates", "app-link.py"));
      const manifest = await scanProject({ root, ignore: ["*.pyc"] });
      expect(Object.keys(manifest)).toEqual([
        ".wxdevignore",
        "app.py",
        "run.sh",
        "templates/a.html",
        "templates/app-link.py",
        "views",
      ]);
      expect(manifest.views).toMatchObject({ link: "templates", mode: 0o777, size: 9 });
      expect(manifest["templates/app-link.py"]!.link).toBe("../app.py");
      symlinkSync(secrets, join(root, "sshdir"));
      symlinkSync(join(secrets, "hosts"), join(root, "hosts-link"));
      symlinkSync("../../../../../../../../../../../..", join(root, "templates", "escape"));
      symlinkSync("sshdir/..", join(root, "sneaky")); // inside by its text, out once sshdir is followed
      await expect(scanProject({ root })).rejects.toThrow(
        `symlinks point out of the project: hosts-link → ${join(secrets, "hosts")}, sneaky → ` +
          `sshdir/.., sshdir → ${secrets}, templates/escape → ../../../../../../../../../../../..`,
      );
      // Named literally, what a link points to goes up (a folder's files too); ignored or unselected,
      // it is never looked at.
      writeFileSync(join(root, ".wxdevignore"), "templates/escape\nsneaky\n");
      const named = await scanProject({ root, files: ["app.py", "sshdir", "hosts-link"] });
      expect(Object.keys(named)).toEqual(["app.py", "hosts-link", "sshdir/hosts", "sshdir/id_ed25519"]);
      expect(named["hosts-link"]).toMatchObject({ size: 20 });
      expect(named["hosts-link"]!.link).toBeUndefined();
      expect(Object.keys(await scanProject({ root, files: ["app.py", "views"] }))).toEqual(["app.py", "views"]);
    },
  );
});

describe("hashFiles quick check", () => {
  it("reuses a recorded hash when size, mode and mtime match, and re-reads a touched file", () => {
    const root = mkdtempSync(join(tmpdir(), "wxdev-quick-"));
    writeFileSync(join(root, "a.py"), "one");
    const first = hashFiles(root, ["a.py"]);
    const recorded = { "a.py": { ...first["a.py"]!, sha256: "recorded" } };
    expect(hashFiles(root, ["a.py"], recorded)["a.py"]!.sha256).toBe("recorded");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, "a.py"), later, later);
    expect(hashFiles(root, ["a.py"], recorded)["a.py"]!.sha256).toBe(first["a.py"]!.sha256);
  });
});

describe("planDeploy", () => {
  const entry = (sha256: string, mode = 0o644) => ({ size: 1, mode, sha256 });
  it("a link whose target changed, or a file that became a link with the same bytes and mode, is uploaded", () => {
    const link = { size: 2, mode: 0o777, sha256: "h", link: "v2" };
    expect(planDeploy({ current: link }, { current: { ...link, link: "v1" } }, { delete: false }).upload).toEqual([
      "current",
    ]);
    expect(
      planDeploy({ current: link }, { current: { size: 2, mode: 0o777, sha256: "h" } }, { delete: false }).upload,
    ).toEqual(["current"]);
    expect(planDeploy({ current: link }, { current: link }, { delete: false }).unchanged).toEqual(["current"]);
  });

  it("uploads new and changed (content or mode), keeps or deletes what vanished", () => {
    const local = { a: entry("1"), b: entry("2"), c: entry("3", 0o755) };
    const previous = { a: entry("1"), b: entry("x"), c: entry("3"), gone: entry("4") };
    expect(planDeploy(local, previous, { delete: false })).toEqual({
      upload: ["b", "c"],
      delete: [],
      unchanged: ["a"],
      kept: ["gone"],
      replace: [],
      bytes: 2,
    });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual(["gone"]);
    expect(planDeploy(local, undefined, { delete: true }).upload).toEqual(["a", "b", "c"]);
  });

  it("clears what stands in the way: a file that became a folder, and a folder that became a file", () => {
    const entry = (sha256: string) => ({ size: 1, mode: 0o644, sha256 });
    const previous = { conf: entry("f"), "lib/a.py": entry("a"), "lib/b.py": entry("b"), keep: entry("k") };
    const local = { "conf/app.ini": entry("i"), lib: entry("l"), keep: entry("k") };
    const plan = planDeploy(local, previous, { delete: false });
    expect(plan).toMatchObject({
      upload: ["conf/app.ini", "lib"],
      replace: ["conf", "lib"],
      kept: [],
      delete: [],
      unchanged: ["keep"],
    });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual([]);
  });
});

describe("remote layout and nginx text", () => {
  it("puts releases in a hidden sibling of remoteDir", () => {
    expect(remoteLayout("~/tom")).toEqual({ live: `"$HOME"/'tom'`, releases: `"$HOME"/'.tom.wxdev/releases'` });
    expect(remoteLayout("/srv/app/")).toEqual({ live: `'/srv/app'`, releases: `'/srv/.app.wxdev/releases'` });
    expect(remoteLayout("apps/it's")).toEqual({
      live: `"$HOME"/'apps/it'\\''s'`,
      releases: `"$HOME"/'apps/.it'\\''s.wxdev/releases'`,
    });
  });

  it("maps /wechat8013 with an exact and a sub-path location and no URI on proxy_pass", () => {
    const text = nginxConfig({ name: "s8013" });
    expect(text).toContain("location = /wechat8013 {");
    expect(text).toContain("location ^~ /wechat8013/ {");
    expect(text).not.toMatch(/proxy_pass http:\/\/127\.0\.0\.1:8013\//);
    expect(text).toMatch(/proxy_read_timeout 5s/);
    expect(appPortOf("s8013")).toBe(8013);
    expect(() => appPortOf("web")).toThrow(/appPort/);
  });
});

describe("emptiedFolders", () => {
  it("names the folders deletions may empty, deepest first, never one that still holds a file", () => {
    expect(
      emptiedFolders(
        ["lib/old/x.py", "lib/old/deep/y.py", "data/seed.json", "top.txt"],
        ["data/keep.json", "lib/new.py"],
      ),
    ).toEqual(["lib/old/deep", "lib/old"]);
    expect(emptiedFolders(["a/b/c.txt"], [])).toEqual(["a/b", "a"]);
  });
});

describe("verifyUpload", () => {
  // The server side is the real script under a real sh; only the SSH transport is left out.
  const localShell: RemoteShell = {
    exec: async (command, options = {}) => {
      const result = spawnSync("sh", ["-c", command], {
        input: typeof options.stdin === "string" ? options.stdin : undefined,
        env: { ...process.env, HOME: home },
      });
      return { code: result.status, stdout: result.stdout.toString(), stderr: result.stderr.toString() };
    },
  };
  const home = mkdtempSync(join(tmpdir(), "wxdev-verify-"));

  it("passes when the unpacked files hash as the manifest says, and names a missing or different one", async () => {
    const layout = remoteLayout("~/app");
    const release = join(home, ".app.wxdev", "releases", "r1.partial");
    mkdirSync(join(release, "odd dir"), { recursive: true });
    writeFileSync(join(release, "a.py"), "a");
    writeFileSync(join(release, "odd dir", "b\nc.txt"), "b");
    const root = mkdtempSync(join(tmpdir(), "wxdev-verify-local-"));
    mkdirSync(join(root, "odd dir"));
    writeFileSync(join(root, "a.py"), "a");
    writeFileSync(join(root, "odd dir", "b\nc.txt"), "b");
    writeFileSync(join(root, "gone.txt"), "g");
    const local = hashFiles(root, ["a.py", "odd dir/b\nc.txt", "gone.txt"]);
    await expect(verifyUpload(localShell, layout, "r1", ["a.py", "odd dir/b\nc.txt"], local)).resolves.toBeUndefined();
    await expect(verifyUpload(localShell, layout, "r1", ["a.py", "gone.txt"], local)).rejects.toThrow(
      /1 of 2 file\(s\) missing or different on the server \(first: gone\.txt\)/,
    );
    writeFileSync(join(release, "a.py"), "changed");
    await expect(verifyUpload(localShell, layout, "r1", ["a.py"], local)).rejects.toThrow(/first: a\.py/);
  });
});
