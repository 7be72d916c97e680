import { execFileSync } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { addKnownHost, checkHostKey, fingerprint, hostPattern, keyType, preferredHostKeyAlgorithms } from "../../src/core/deploy/known-hosts.js";
import { hashFiles, scanProject } from "../../src/core/deploy/manifest.js";
import { appPortOf, nginxConfig } from "../../src/core/deploy/nginx.js";
import { planDeploy } from "../../src/core/deploy/plan.js";
import { remoteLayout } from "../../src/core/deploy/remote.js";

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
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${other.line.split(" ")[1]}\n`, "127.0.0.1", 2222, key.blob)).toBe("changed");
    expect(checkHostKey(`@revoked [127.0.0.1]:2222 ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("revoked");
    // A revocation wins wherever it stands, as OpenSSH reads the file.
    expect(checkHostKey(`[127.0.0.1]:2222 ${type} ${blob}\n@revoked * ${type} ${blob}\n`, "127.0.0.1", 2222, key.blob)).toBe("revoked");
    expect(checkHostKey("", "h", 22, key.blob)).toBe("unknown");
  });

  it("any other key listed for the host, of any type, is a changed key; a matching !pattern drops the line; @cert-authority alone is named", () => {
    const [type, blob] = key.line.split(" ");
    expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n`, "h", 2222, key.blob)).toBe("changed");
    expect(checkHostKey(`[h]:2222 ssh-rsa AAAAB3NzaC1yc2E\n[h]:2222 ${type} ${blob}\n`, "h", 2222, key.blob)).toBe("known");
    expect(checkHostKey(`*,!h ${type} ${blob}\n`, "h", 22, key.blob)).toBe("unknown");
    expect(checkHostKey(`*,!h ${other.line}\n`, "h", 22, key.blob)).toBe("unknown");
    expect(checkHostKey(`*,!g ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
    expect(checkHostKey(`@cert-authority *.example ${other.line}\n`, "h.example", 22, key.blob)).toBe("cert-authority");
    expect(checkHostKey(`@cert-authority * ${other.line}\nh ${type} ${blob}\n`, "h", 22, key.blob)).toBe("known");
  });

  it("asks first for the algorithms of the key types listed for the host", () => {
    const text = `[h]:2222 ssh-rsa AAAA\n[h]:2222 ${key.line}\nh ecdsa-sha2-nistp256 AAAA\n@cert-authority [h]:2222 ${other.line}\n`;
    expect(preferredHostKeyAlgorithms(text, "h", 2222)).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa", "ssh-ed25519"]);
    expect(preferredHostKeyAlgorithms(text, "g", 22)).toEqual([]);
  });

  it("writes hashed entries that OpenSSH's ssh-keygen -F finds, and reads OpenSSH's own hashed entries", () => {
    const dir = mkdtempSync(join(tmpdir(), "wxdev-kh-"));
    const path = join(dir, ".ssh", "known_hosts");
    addKnownHost(path, "127.0.0.1", 2222, key.blob);
    expect(execFileSync("ssh-keygen", ["-F", "[127.0.0.1]:2222", "-f", path], { encoding: "utf8" })).toContain(key.line.split(" ")[1]);
    expect(checkHostKey(readFileSync(path, "utf8"), "127.0.0.1", 2222, key.blob)).toBe("known");
    const plain = join(dir, "plain_hosts");
    writeFileSync(plain, `[h.example]:22 ${other.line.split(" ").slice(0, 2).join(" ")}\nexample.org ${other.line.split(" ").slice(0, 2).join(" ")}\n`);
    execFileSync("ssh-keygen", ["-H", "-f", plain], { stdio: "ignore" });
    expect(readFileSync(plain, "utf8")).toMatch(/^\|1\|/);
    expect(checkHostKey(readFileSync(plain, "utf8"), "example.org", 22, other.blob)).toBe("known");
  });

  it("names types and fingerprints as OpenSSH does", () => {
    expect(keyType(key.blob)).toBe("ssh-ed25519");
    const dir = mkdtempSync(join(tmpdir(), "wxdev-fp-"));
    writeFileSync(join(dir, "k.pub"), key.line);
    expect(execFileSync("ssh-keygen", ["-l", "-f", join(dir, "k.pub")], { encoding: "utf8" })).toContain(fingerprint(key.blob));
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
    expect(manifest["app.py"]).toMatchObject({ size: 1, mode: 0o644, sha256: "ca978112ca1bbdcafac231b39a23dc4da786eff8147c4e72b9807785afee48bb" });
  });

  it("takes files patterns like the config's [\"wechat.py\", \"templates/**\"]", async () => {
    expect(Object.keys(await scanProject({ root: tree(), files: ["app.py", "templates/**"] }))).toEqual(["app.py", "templates/a.html"]);
  });

  it(".gitignore: nested ones count, the deepest decides (!keep.log), globs and folders in files obey it, literal names do not", async () => {
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
    const globbed = Object.keys(await scanProject({ root, files: ["app/", "build/**"], onGitignored: (path) => told.push(path) }));
    expect(globbed).toEqual(["app/main.py"]);
    expect(told.sort()).toEqual(["app/.secret", "build/"]);
    expect(Object.keys(await scanProject({ root, files: ["./build/out.js", "app/.secret"] }))).toEqual(["app/.secret", "build/out.js"]);
  });

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
    symlinkSync(looping, join(looping, "templates", "loop"));
    await expect(scanProject({ root: looping })).rejects.toThrow(/symlink loop at templates\/loop/);
  });
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
  it("uploads new and changed (content or mode), keeps or deletes what vanished", () => {
    const local = { a: entry("1"), b: entry("2"), c: entry("3", 0o755) };
    const previous = { a: entry("1"), b: entry("x"), c: entry("3"), gone: entry("4") };
    expect(planDeploy(local, previous, { delete: false })).toEqual({ upload: ["b", "c"], delete: [], unchanged: ["a"], kept: ["gone"], replace: [], bytes: 2 });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual(["gone"]);
    expect(planDeploy(local, undefined, { delete: true }).upload).toEqual(["a", "b", "c"]);
  });

  it("clears what stands in the way: a file that became a folder, and a folder that became a file", () => {
    const entry = (sha256: string) => ({ size: 1, mode: 0o644, sha256 });
    const previous = { conf: entry("f"), "lib/a.py": entry("a"), "lib/b.py": entry("b"), keep: entry("k") };
    const local = { "conf/app.ini": entry("i"), lib: entry("l"), keep: entry("k") };
    const plan = planDeploy(local, previous, { delete: false });
    expect(plan).toMatchObject({ upload: ["conf/app.ini", "lib"], replace: ["conf", "lib"], kept: [], delete: [], unchanged: ["keep"] });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual([]);
  });
});

describe("remote layout and nginx text", () => {
  it("puts releases in a hidden sibling of remoteDir", () => {
    expect(remoteLayout("~/tom")).toEqual({ live: `"$HOME"/'tom'`, releases: `"$HOME"/'.tom.wxdev/releases'` });
    expect(remoteLayout("/srv/app/")).toEqual({ live: `'/srv/app'`, releases: `'/srv/.app.wxdev/releases'` });
    expect(remoteLayout("apps/it's")).toEqual({ live: `"$HOME"/'apps/it'\\''s'`, releases: `"$HOME"/'apps/.it'\\''s.wxdev/releases'` });
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
