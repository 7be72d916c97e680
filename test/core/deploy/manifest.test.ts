import { chmodSync, mkdirSync, symlinkSync, utimesSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { hashFiles, scanProject } from "../../../src/core/deploy/manifest.js";
import { tempDirs } from "../../helpers/temp.js";

const temp = tempDirs();

describe("scanProject", () => {
  function tree(): string {
    const dir = temp("wxdev-scan-");
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
    const elsewhere = temp("wxdev-elsewhere-");
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
      const secrets = temp("wxdev-secrets-");
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
    const root = temp("wxdev-quick-");
    writeFileSync(join(root, "a.py"), "one");
    const first = hashFiles(root, ["a.py"]);
    const recorded = { "a.py": { ...first["a.py"]!, sha256: "recorded" } };
    expect(hashFiles(root, ["a.py"], recorded)["a.py"]!.sha256).toBe("recorded");
    const later = new Date(Date.now() + 5000);
    utimesSync(join(root, "a.py"), later, later);
    expect(hashFiles(root, ["a.py"], recorded)["a.py"]!.sha256).toBe(first["a.py"]!.sha256);
  });
});
