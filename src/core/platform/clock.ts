import { InputError } from "../support/errors.js";

/**
 * The mock platform's time: the real clock (or a test's) plus an offset that only grows, so token expiry, the
 * 5-minute overlap, quotas, customer-service windows and media life can be tried without waiting.
 */
export class Clock {
  private offsetMs = 0;

  constructor(private readonly base: () => number = Date.now) {}

  /** Milliseconds since the epoch, as the platform sees them. */
  now(): number {
    return this.base() + this.offsetMs;
  }

  /** Seconds since the epoch (the API's `created_at`, `subscribe_time`, a rid's first part). */
  seconds(): number {
    return Math.floor(this.now() / 1000);
  }

  /** How far ahead of the real clock the platform is. */
  get offset(): number {
    return this.offsetMs;
  }

  /** Moves time forward; never back (a token or a window would come back to life). */
  advance(ms: number): void {
    if (!Number.isSafeInteger(ms) || ms < 0) throw new InputError(`cannot move the clock by ${ms} ms`);
    this.offsetMs += ms;
  }

  /** Restores a saved offset (the state file), never below the current one. */
  restore(offsetMs: number): void {
    if (Number.isSafeInteger(offsetMs) && offsetMs > this.offsetMs) this.offsetMs = offsetMs;
  }
}

const DAY_MS = 86_400_000;
const UNITS: Record<string, number> = { s: 1000, m: 60_000, h: 3_600_000, d: DAY_MS };

/** Parses a duration such as `90s`, `5m`, `2h`, `3d` or `1h30m` into milliseconds. */
export function parseDuration(text: string): number {
  const trimmed = text.trim();
  const parts = [...trimmed.matchAll(/(\d{1,7})([smhd])/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join("") !== trimmed) {
    throw new InputError(`not a duration: ${JSON.stringify(text)}`, { hint: "e.g. 90s, 5m, 2h, 3d or 1h30m" });
  }
  const ms = parts.reduce((sum, [, count, unit]) => sum + Number(count) * (UNITS[unit ?? "s"] ?? 0), 0);
  if (ms > 400 * DAY_MS) throw new InputError(`${text} is more than 400 days`, { hint: "move the clock less" });
  return ms;
}
