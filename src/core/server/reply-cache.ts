/** How long an answer is kept: WeChat retries 3 times, 5 s apart, so the last retry comes ~15 s after the first. */
export const REPLY_WINDOW_MS = 20_000;
/**
 * The memory the cache may hold before it drops answers early, as `approxBytes` counts it: an upper bound, since
 * keys and replies are copies of their own (~800 B counted for a short text reply, ~550 B real).
 */
export const REPLY_CACHE_MAX_BYTES = 384 * 1024 * 1024;
/** What one entry costs besides its key and answer: the Map slot, the entry, its promise (measured on Node 20). */
const ENTRY_OVERHEAD_BYTES = 200;

interface Entry<T> {
  key: string;
  value: Promise<T> | T;
  expires: number;
  bytes: number;
}

export interface ReplyCacheOptions<T> {
  ttlMs?: number;
  maxBytes?: number;
  /** The memory an answer takes; by default two bytes a character of a string answer. */
  sizeOf?: (value: T) => number;
}

const stringBytes = (value: unknown): number => (typeof value === "string" ? value.length * 2 : 0);

/**
 * A string of its own, holding nothing else: a key or reply built from a request is made of slices of the
 * request's body, and V8 keeps a whole body alive for as long as one slice of it lives. Concatenation makes a
 * new string from the characters and slicing it copies them: no reference to the body remains.
 */
const own = <T>(value: T): T => (typeof value === "string" ? (` ${value}`.slice(1) as T) : value);

/**
 * Remembers the answer to each message for WeChat's retry window, so a retried
 * message gets the same reply without being handled twice. A retry that arrives
 * while the first attempt is still running waits for that same answer.
 *
 * It holds, per message key (sender + MsgId, or sender + time + event), the reply
 * that was sent, for `ttlMs` however many messages arrive; only past `maxBytes`
 * do the oldest answers go early (counted in `evictedEarly`: a retry of those
 * would be handled again).
 */
export class ReplyCache<T> {
  private readonly entries = new Map<string, Entry<T>>();
  /**
   * Every entry in the order it expires (insertion order: all live `ttlMs`), removed ones included
   * until the front reaches them. Expiry walks this, not the Map: a Map's iterator steps over the
   * holes its deletions leave at the front, and at a few thousand messages a second, with a full
   * window, that walk costs more than the rest of a message (bench/reply-cache.bench.js).
   */
  private queue: Entry<T>[] = [];
  private front = 0;
  private readonly ttlMs: number;
  private readonly maxBytes: number;
  private readonly sizeOf: (value: T) => number;
  private bytes = 0;
  /** Answers dropped before their time to stay within maxBytes. */
  evictedEarly = 0;

  constructor(options: ReplyCacheOptions<T> = {}) {
    this.ttlMs = options.ttlMs ?? REPLY_WINDOW_MS;
    this.maxBytes = options.maxBytes ?? REPLY_CACHE_MAX_BYTES;
    this.sizeOf = options.sizeOf ?? stringBytes;
  }

  /** How many answers it holds. */
  get size(): number {
    return this.entries.size;
  }

  /** The memory it holds, as counted: keys, settled answers and a fixed overhead each. */
  get approxBytes(): number {
    return this.bytes;
  }

  /**
   * The cached answer for `key`, or the one `produce` makes, stored before it settles; `hit` tells which.
   * A synchronous answer (the bots') is stored settled: no promise, no extra turn of the microtask queue.
   */
  get(key: string, produce: () => Promise<T> | T, now = Date.now()): { value: Promise<T> | T; hit: boolean } {
    this.expire(now);
    const found = this.entries.get(key);
    if (found !== undefined && found.expires > now) return { value: found.value, hit: true };
    if (found !== undefined) this.remove(found); // a renewed key moves to the back of the eviction order
    let value: Promise<T> | T;
    try {
      value = produce();
    } catch (error) {
      return { value: Promise.reject(error), hit: false }; // a failed answer is not kept: a retry tries again
    }
    const held = own(key);
    const entry: Entry<T> = {
      key: held,
      value,
      expires: now + this.ttlMs,
      bytes: ENTRY_OVERHEAD_BYTES + held.length * 2,
    };
    this.entries.set(held, entry);
    this.queue.push(entry);
    this.bytes += entry.bytes;
    if (value instanceof Promise) {
      value.then(
        (answer) => {
          if (this.entries.get(held) !== entry) return;
          this.settle(entry, answer);
          this.trim();
        },
        () => {
          if (this.entries.get(held) === entry) this.remove(entry);
        },
      );
    } else {
      this.settle(entry, value);
    }
    this.trim();
    return { value, hit: false };
  }

  /** Keeps a settled answer (a copy, when a string: see `own`) in place of its promise, and counts its size. */
  private settle(entry: Entry<T>, answer: T): void {
    entry.value = own(answer);
    const size = this.sizeOf(answer);
    entry.bytes += size;
    this.bytes += size;
  }

  /** Drops expired answers: they sit at the front, since every entry lives the same time. */
  private expire(now: number): void {
    for (let oldest = this.oldest(); oldest !== undefined && oldest.expires <= now; oldest = this.oldest()) {
      this.remove(oldest);
    }
  }

  /** Over the memory bound, drops the oldest answers until it fits. */
  private trim(): void {
    for (let oldest = this.oldest(); oldest !== undefined && this.bytes > this.maxBytes; oldest = this.oldest()) {
      this.remove(oldest);
      this.evictedEarly++;
    }
  }

  /** The oldest entry still held: the queue's front, past the places of entries already removed. */
  private oldest(): Entry<T> | undefined {
    while (this.front < this.queue.length) {
      const entry = this.queue[this.front];
      if (entry !== undefined && this.entries.get(entry.key) === entry) return entry;
      this.front++;
    }
    return undefined;
  }

  private remove(entry: Entry<T>): void {
    this.entries.delete(entry.key);
    this.bytes -= entry.bytes;
    // The queue sheds its removed front now and then, in one copy, rather than a shift per entry.
    if (this.front > 1024 && this.front * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.front);
      this.front = 0;
    }
  }
}
