import { execFileSync, spawnSync } from "node:child_process";
import { mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { remoteLayout } from "../../src/core/remote/layout.js";
import { guardScript, UNSAFE_MARK, UNSAFE_STATE } from "../../src/core/remote/state-guard.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();
/** An account that is not this one (the suite runs as root: chown makes a folder a classmate's). */
const MATE = 4242;
const asRoot = process.getuid?.() === 0;

/** Runs the guard for `remoteDir` in `shell`, then prints the state folder's mode: what it said and did. */
function guard(shell: "bash" | "sh", remoteDir: string, create: boolean) {
  const script = `${guardScript(remoteLayout(remoteDir), { create })}\nstat -c %a -- "$wx_state" 2>/dev/null; pwd`;
  const result = spawnSync(shell, ["-c", script], { encoding: "utf8", cwd: "/" });
  const refused = result.stderr.startsWith(UNSAFE_MARK) ? result.stderr.slice(UNSAFE_MARK.length).trim() : undefined;
  return { code: result.status, refused, stdout: result.stdout };
}

/** A folder tree under a fresh root folder (0755, as /home is): `setup(root)` shapes it. */
function tree(setup: (root: string) => void): string {
  const root = temp("wxdev-guard-");
  execFileSync("chmod", ["755", root]);
  setup(root);
  return root;
}

const sh = (command: string) => execFileSync("bash", ["-c", command]);

describe.runIf(asRoot)("the state guard: what it refuses, in bash and in dash", () => {
  for (const shell of ["bash", "sh"] as const) {
    describe(shell, () => {
      it("a fresh folder: the parent and the state folder made (0700), the script's folder unchanged", () => {
        const root = tree(() => undefined);
        const result = guard(shell, `${root}/a/b/app`, true);
        expect(result).toMatchObject({ code: 0, refused: undefined, stdout: "700\n/\n" });
      });

      it("a folder on the way another account owns, or others may write, is named; a sticky one is fine", () => {
        const root = tree((r) => sh(`mkdir -p ${r}/theirs/c ${r}/open/c ${r}/sticky/c ${r}/other/c`));
        sh(
          `chown ${MATE} ${root}/theirs; chmod 775 ${root}/open; chmod 1777 ${root}/sticky; chmod 757 ${root}/other/c`,
        );
        expect(guard(shell, `${root}/theirs/c/app`, true).refused).toBe(
          `${root}/theirs belongs to another account (uid ${MATE})`,
        );
        expect(guard(shell, `${root}/open/c/app`, false).refused).toBe(`${root}/open is writable by other accounts`);
        expect(guard(shell, `${root}/other/c/app`, false).refused).toBe(
          `${root}/other/c is writable by other accounts`,
        );
        expect(guard(shell, `${root}/sticky/c/app`, true)).toMatchObject({ code: 0, refused: undefined });
      });

      it("a link on the way: its owner and where it leads are both judged", () => {
        const root = tree((r) => sh(`mkdir -p ${r}/mate ${r}/mine ${r}/links`));
        sh(`chown ${MATE} ${root}/mate`);
        symlinkSync(`${root}/mate`, `${root}/to-mate`);
        symlinkSync(`${root}/mine`, `${root}/links/to-mine`);
        sh(`chown -h ${MATE} ${root}/links/to-mine`);
        expect(guard(shell, `${root}/to-mate/app`, true).refused).toBe(
          `${root}/mate belongs to another account (uid ${MATE})`,
        );
        expect(guard(shell, `${root}/links/to-mine/app`, true).refused).toBe(
          `${root}/links/to-mine belongs to another account (uid ${MATE})`,
        );
      });

      it("the live path and the state folder must be this account's; a loose state folder is tightened", () => {
        const root = tree((r) => sh(`mkdir -p ${r}/l/app ${r}/s/.app.wxdev ${r}/w/.app.wxdev ${r}/t/.app.wxdev`));
        sh(`chown ${MATE} ${root}/l/app ${root}/s/.app.wxdev; chmod 770 ${root}/w/.app.wxdev`);
        sh(`chmod 750 ${root}/t/.app.wxdev`);
        expect(guard(shell, `${root}/l/app`, false).refused).toBe(
          `${root}/l/app belongs to another account (uid ${MATE})`,
        );
        expect(guard(shell, `${root}/s/app`, true).refused).toBe(
          `${root}/s/.app.wxdev belongs to another account (uid ${MATE})`,
        );
        expect(guard(shell, `${root}/w/app`, true).refused).toBe(`${root}/w/.app.wxdev is writable by other accounts`);
        expect(guard(shell, `${root}/t/app`, false)).toMatchObject({ code: 0, stdout: "700\n/\n" });
      });

      it("a state folder that is a link or a file, a link in it, a releases file: refused", () => {
        const root = tree((r) => sh(`mkdir -p ${r}/x ${r}/f ${r}/g/.app.wxdev ${r}/r/.app.wxdev ${r}/lk`));
        symlinkSync(`${root}/x`, `${root}/lk/.app.wxdev`);
        writeFileSync(join(root, "f", ".app.wxdev"), "");
        sh(`chmod 700 ${root}/g/.app.wxdev ${root}/r/.app.wxdev`);
        symlinkSync("/etc/passwd", join(root, "g", ".app.wxdev", "app.log"));
        writeFileSync(join(root, "r", ".app.wxdev", "releases"), "");
        for (const name of ["lk", "f"])
          expect(guard(shell, `${root}/${name}/app`, true).refused).toBe(
            `${root}/${name}/.app.wxdev is not a folder (or is a symbolic link)`,
          );
        expect(guard(shell, `${root}/g/app`, false).refused).toBe(`${root}/g/.app.wxdev/app.log is a symbolic link`);
        expect(guard(shell, `${root}/r/app`, false).refused).toBe(`${root}/r/.app.wxdev/releases is not a folder`);
        expect(guard(shell, `${root}/r/app`, false).code).toBe(UNSAFE_STATE);
      });

      it("names with spaces and quotes are one folder each", () => {
        const root = tree((r) => mkdirSync(join(r, "a b", "it's"), { recursive: true }));
        expect(guard(shell, `${root}/a b/it's/app`, true)).toMatchObject({ code: 0, refused: undefined });
        sh(`chmod 777 '${root}/a b'`);
        expect(guard(shell, `${root}/a b/it's/app`, true).refused).toBe(`${root}/a b is writable by other accounts`);
      });
    });
  }
});
