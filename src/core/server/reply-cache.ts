/**
 * Remembers the answer to each message for WeChat's retry window, so a retried
 * MsgId gets the same reply without being handled twice. A retry that arrives
 * while the first attempt is still running waits for that same answer.
 */
export class ReplyCache<T> {
  private readonly entries = new Map<string, { value: Promise<T>; expires: number }>();

  constructor(
    private readonly ttlMs = 30_000,
    private readonly maxEntries = 10_000,
  ) {}

  /** The cached answer for `key`, or the one `produce` makes (stored before it settles); `hit` tells which. */
  get(key: string, produce: () => Promise<T> | T, now = Date.now()): { value: Promise<T>; hit: boolean } {
    const found = this.entries.get(key);
    if (found !== undefined && found.expires > now) return { value: found.value, hit: true };
    const value = Promise.resolve().then(produce);
    value.catch(() => this.entries.delete(key));
    if (found !== undefined) this.entries.delete(key); // a renewed key moves to the back of the eviction order
    this.entries.set(key, { value, expires: now + this.ttlMs });
    this.evict(now);
    return { value, hit: false };
  }

  /** Over capacity, drops expired and then oldest entries down to 90 %: one pass now and then, not one per insertion. */
  private evict(now: number): void {
    if (this.entries.size <= this.maxEntries) return;
    let excess = this.entries.size - Math.floor(this.maxEntries * 0.9);
    for (const [key, entry] of this.entries) {
      if (excess <= 0 && entry.expires > now) break;
      this.entries.delete(key);
      excess--;
    }
  }
}
