import { execFileSync } from "node:child_process";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from "node:fs";
import { dirname, join } from "node:path";
import { buffer } from "node:stream/consumers";
import { describe, expect, it } from "vitest";
import { hashFiles } from "../../src/core/deploy/manifest.js";
import { tarStream } from "../../src/core/deploy/tar-stream.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

describe("tarStream", () => {
  it(
    "writes an archive GNU tar extracts exactly: long and CJK paths, dotfiles, modes, empty " + "and large files",
    async () => {
      const root = temp("wxdev-tar-src-");
      const files: Record<string, Buffer> = {
        "app.py": Buffer.from("print('hi')\n"),
        ".env.example": Buffer.from("TOKEN=\n"),
        "模板/首页.html": Buffer.from("<h1>你好</h1>\n"),
        [`deep/${"d".repeat(60)}/${"e".repeat(60)}/long-name.txt`]: Buffer.from("needs a pax header\n"),
        "empty.txt": Buffer.alloc(0),
        "big.bin": Buffer.alloc(200_000, 7),
        "run.sh": Buffer.from("#!/bin/sh\n"),
      };
      for (const [path, data] of Object.entries(files)) {
        mkdirSync(dirname(join(root, path)), { recursive: true });
        writeFileSync(join(root, path), data);
      }
      chmodSync(join(root, "run.sh"), 0o755);
      const progress: [number, number][] = [];
      const archive = await buffer(tarStream(root, Object.keys(files), (done, bytes) => progress.push([done, bytes])));
      const out = temp("wxdev-tar-out-");
      execFileSync("tar", ["-x", "-f", "-", "-C", out], { input: archive });
      for (const [path, data] of Object.entries(files))
        expect(readFileSync(join(out, path)).equals(data), path).toBe(true);
      expect(statSync(join(out, "run.sh")).mode & 0o777).toBe(0o755);
      expect(progress.at(-1)).toEqual([7, Object.values(files).reduce((sum, data) => sum + data.length, 0)]);
    },
  );

  it(
    "sends a symlink the manifest records as a link, with its target as written (a long one in " + "a pax header)",
    async () => {
      const root = temp("wxdev-tar-src-");
      const deep = `${"d".repeat(70)}/${"e".repeat(70)}`;
      mkdirSync(join(root, deep), { recursive: true });
      writeFileSync(join(root, deep, "f.txt"), "f");
      symlinkSync(`${deep}/f.txt`, join(root, "long-link"));
      symlinkSync(deep.split("/")[0]!, join(root, "dir-link"));
      const paths = ["dir-link", "long-link"];
      const archive = await buffer(tarStream(root, paths, undefined, hashFiles(root, paths)));
      const out = temp("wxdev-tar-out-");
      execFileSync("tar", ["-x", "-f", "-", "-C", out], { input: archive });
      expect(lstatSync(join(out, "long-link")).isSymbolicLink()).toBe(true);
      expect(readlinkSync(join(out, "long-link"))).toBe(`${deep}/f.txt`);
      expect(readlinkSync(join(out, "dir-link"))).toBe("d".repeat(70));
    },
  );
});
