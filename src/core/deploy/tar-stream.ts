import { closeSync, fstatSync, lstatSync, openSync, readSync } from "node:fs";
import { join } from "node:path";
import { Readable } from "node:stream";
import { Header, Pax } from "tar";
import type { Manifest } from "./manifest.js";

/** Upload progress: files and bytes of file content sent so far. */
export type TarProgress = (files: number, bytes: number) => void;

const BLOCK = 512;
const CHUNK = 64 * 1024;

/**
 * The header records of one file of `size` bytes (or, with `linkpath`, a symlink): a pax header when the path needs
 * one.
 */
function headers(path: string, size: number, mode: number, mtime: Date, linkpath?: string): Buffer[] {
  const fields = {
    path,
    mode,
    size,
    mtime,
    type: linkpath === undefined ? ("File" as const) : ("SymbolicLink" as const),
    linkpath,
    uid: 0,
    gid: 0,
    uname: "",
    gname: "",
  };
  const header = Buffer.alloc(BLOCK);
  const needsPax = new Header(fields).encode(header, 0);
  return needsPax ? [new Pax(fields).encode(), header] : [header];
}

/**
 * The bytes of an open file of `size` bytes, a chunk at a time (a large file never sits whole in memory). A file
 * that shrank since its size was read ends in zeros: the archive stays whole, and the upload's check finds the
 * file's hash changed.
 */
function* contents(fd: number, size: number): Generator<Buffer> {
  for (let offset = 0; offset < size; offset += CHUNK) {
    const piece = Buffer.allocUnsafe(Math.min(CHUNK, size - offset));
    let filled = 0;
    for (let read = -1; read !== 0 && filled < piece.length; filled += read) {
      read = readSync(fd, piece, filled, piece.length - filled, null);
    }
    yield piece.fill(0, filled);
  }
}

/**
 * A tar archive of `files` under `root` (modes and dotfiles kept; a path `manifest` records as a
 * link goes as that symlink, whatever is on disk now), in 64 KiB chunks so each
 * SSH packet carries many small files. tar's own Header and Pax write the records; the
 * files are read here, synchronously, which for thousands of small files is several
 * times faster than tar's packer walking them again.
 */
export function tarStream(root: string, files: string[], onProgress?: TarProgress, manifest?: Manifest): Readable {
  function* chunks(): Generator<Buffer> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let bytes = 0;
    const add = (part: Buffer): void => {
      pending.push(part);
      pendingBytes += part.length;
    };
    const full = (): boolean => pendingBytes >= CHUNK;
    const take = (): Buffer => {
      const chunk = pending.length === 1 ? (pending[0] as Buffer) : Buffer.concat(pending);
      pending = [];
      pendingBytes = 0;
      return chunk;
    };
    for (const [index, path] of files.entries()) {
      const link = manifest?.[path]?.link;
      if (link !== undefined) {
        bytes += Buffer.byteLength(link); // as the plan counts it
        for (const part of headers(path, 0, 0o777, lstatSync(join(root, path)).mtime, link)) add(part);
      } else {
        const fd = openSync(join(root, path), "r");
        try {
          const info = fstatSync(fd);
          for (const part of headers(path, info.size, info.mode & 0o7777, info.mtime)) add(part);
          for (const piece of contents(fd, info.size)) {
            add(piece);
            bytes += piece.length;
            if (full()) {
              onProgress?.(index, bytes);
              yield take();
            }
          }
          const padding = (BLOCK - (info.size % BLOCK)) % BLOCK;
          if (padding > 0) add(Buffer.alloc(padding));
        } finally {
          closeSync(fd);
        }
      }
      if (full()) {
        onProgress?.(index + 1, bytes);
        yield take();
      }
    }
    add(Buffer.alloc(2 * BLOCK));
    onProgress?.(files.length, bytes);
    yield take();
  }
  return Readable.from(chunks(), { objectMode: false });
}
