import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import {
  chmodSync,
  lstatSync,
  mkdirSync,
  readFileSync,
  readlinkSync,
  statSync,
  symlinkSync,
  truncateSync,
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

  it("streams a large file a chunk at a time as it reads it (progress moves inside it); hashFiles agrees with sha256sum", async () => {
    const root = temp("wxdev-tar-src-");
    const big = randomBytes(5 * 1024 * 1024 + 3);
    writeFileSync(join(root, "a.txt"), "first\n");
    writeFileSync(join(root, "big.bin"), big);
    const manifest = hashFiles(root, ["a.txt", "big.bin"]);
    expect(manifest["big.bin"]).toMatchObject({
      size: big.length,
      sha256: createHash("sha256").update(big).digest("hex"),
    });
    const sum = execFileSync("sha256sum", [join(root, "big.bin")], { encoding: "utf8" });
    expect(sum.split(" ")[0]).toBe(manifest["big.bin"]?.sha256);
    const progress: [number, number][] = [];
    const chunks: Buffer[] = [];
    for await (const chunk of tarStream(root, ["a.txt", "big.bin"], (done, bytes) => progress.push([done, bytes])))
      chunks.push(chunk as Buffer);
    expect(Math.max(...chunks.map((chunk) => chunk.length))).toBeLessThanOrEqual(2 * 64 * 1024);
    const during = progress.filter(([done]) => done === 1);
    expect(during.length).toBeGreaterThan(50);
    expect(during.map(([, bytes]) => bytes)).toEqual([...during.map(([, bytes]) => bytes)].sort((a, b) => a - b));
    expect(progress.at(-1)).toEqual([2, big.length + 6]);
    const out = temp("wxdev-tar-out-");
    execFileSync("tar", ["-x", "-f", "-", "-C", out], { input: Buffer.concat(chunks) });
    expect(readFileSync(join(out, "big.bin")).equals(big)).toBe(true);
  });

  it("a file cut short while it is sent: the archive stays whole, the rest of the file zeros", async () => {
    const root = temp("wxdev-tar-src-");
    const big = randomBytes(1024 * 1024);
    writeFileSync(join(root, "big.bin"), big);
    const chunks: Buffer[] = [];
    for await (const chunk of tarStream(root, ["big.bin"])) {
      if (chunks.length === 0) truncateSync(join(root, "big.bin"), 0);
      chunks.push(chunk as Buffer);
    }
    const out = temp("wxdev-tar-out-");
    execFileSync("tar", ["-x", "-f", "-", "-C", out], { input: Buffer.concat(chunks) });
    const got = readFileSync(join(out, "big.bin"));
    expect(got.length).toBe(big.length);
    let same = 0;
    while (same < got.length && got[same] === big[same]) same++;
    expect(same).toBeGreaterThanOrEqual(64 * 1024 - 512);
    expect(same).toBeLessThan(big.length);
    expect(got.subarray(same).every((byte) => byte === 0)).toBe(true);
  });
});
