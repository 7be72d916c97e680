import { randomFillSync } from "node:crypto";

/**
 * Cryptographically random bytes drawn from a pool refilled 8 KiB at a time: one RNG call
 * serves hundreds of ids and nonces, which matters when load mode makes thousands a second.
 * The bytes returned are a copy the caller may keep.
 */
const pool = Buffer.alloc(8192);
let offset = pool.length;

export function randomBytesPooled(size: number): Buffer {
  if (size > pool.length) return randomFillSync(Buffer.alloc(size));
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += size;
  return Buffer.from(pool.subarray(offset - size, offset));
}
