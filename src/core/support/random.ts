import { randomFillSync } from "node:crypto";

/**
 * Cryptographically random bytes drawn from a pool refilled 8 KiB at a time: one RNG call
 * serves hundreds of ids and nonces, which matters when load mode makes thousands a second.
 * The bytes returned are a copy the caller may keep.
 */
const pool = Buffer.alloc(8192);
let offset = pool.length;

/** Where the next `size` random bytes start in the pool, refilling it when it runs short. */
function take(size: number): number {
  if (offset + size > pool.length) {
    randomFillSync(pool);
    offset = 0;
  }
  offset += size;
  return offset - size;
}

/** `size` random bytes. */
export function randomBytesPooled(size: number): Buffer {
  if (size > pool.length) return randomFillSync(Buffer.alloc(size));
  const start = take(size);
  return Buffer.from(pool.subarray(start, start + size));
}

/** A random unsigned 32-bit integer, read from the pool without copying bytes out of it. */
export function randomUint32(): number {
  return pool.readUInt32BE(take(4));
}
