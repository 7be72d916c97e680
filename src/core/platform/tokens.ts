import { randomBytes } from "node:crypto";
import type { Clock } from "./clock.js";

/** An access token lives 7200 s (cgi-bin/token, stable_token). */
export const TOKEN_LIFE_S = 7200;
/** After a newer token is issued the old one keeps working this long (Get_access_token: "five minutes"). */
export const OVERLAP_MS = 5 * 60_000;
/** stable_token's force_refresh: 20 a day, at least 30 s apart (closer: the current token, no refresh). */
export const FORCE_REFRESHES_PER_DAY = 20;
const FORCE_SPACING_MS = 30_000;
/** Tokens remembered per kind at most; the oldest go first (each kind is also bounded by its daily quota). */
const MAX_TOKENS = 1_000;

interface Entry {
  expiresAt: number;
  /** When a newer token made this one old; it works OVERLAP_MS more. */
  supersededAt?: number;
}

/** What a token is worth: `ok`, or why not (40001 unknown/superseded, 42001 expired). */
export type TokenCheck = "ok" | "unknown" | "superseded" | "expired";

/** One kind of access token (cgi-bin/token's, or stable_token's: the two are isolated, per D-STB). */
class TokenBook {
  private readonly entries = new Map<string, Entry>();
  current?: string;

  constructor(private readonly clock: Clock) {}

  issue(): string {
    const now = this.clock.now();
    // Shaped like the platform's: a growing number, "_", then URL-safe characters (~140; apps keep ≥ 512).
    const token = `92_${randomBytes(102).toString("base64url")}`;
    if (this.current !== undefined) {
      const previous = this.entries.get(this.current);
      if (previous !== undefined) previous.supersededAt ??= now;
    }
    if (this.entries.size >= MAX_TOKENS) this.entries.delete(this.entries.keys().next().value as string);
    this.entries.set(token, { expiresAt: now + TOKEN_LIFE_S * 1000 });
    this.current = token;
    return token;
  }

  /** Ends a token at once (stable_token's force_refresh). */
  revoke(token: string): void {
    const entry = this.entries.get(token);
    if (entry !== undefined) entry.supersededAt = this.clock.now() - OVERLAP_MS;
  }

  check(token: string): TokenCheck {
    const entry = this.entries.get(token);
    if (entry === undefined) return "unknown";
    const now = this.clock.now();
    if (entry.supersededAt !== undefined && now >= entry.supersededAt + OVERLAP_MS) return "superseded";
    if (now >= entry.expiresAt) return "expired";
    return "ok";
  }

  /** Seconds the token has left. */
  remaining(token: string): number {
    const entry = this.entries.get(token);
    return entry === undefined ? 0 : Math.max(0, Math.floor((entry.expiresAt - this.clock.now()) / 1000));
  }
}

/** The account's access tokens: cgi-bin/token's (each call a new one) and stable_token's (the same while it lives). */
export class Tokens {
  private readonly plain: TokenBook;
  private readonly stable: TokenBook;
  private force = { day: "", count: 0, lastAt: Number.NEGATIVE_INFINITY };

  constructor(private readonly clock: Clock) {
    this.plain = new TokenBook(clock);
    this.stable = new TokenBook(clock);
  }

  /** `cgi-bin/token`: a new token; the previous one works 5 more minutes. */
  issue(): { access_token: string; expires_in: number } {
    return { access_token: this.plain.issue(), expires_in: TOKEN_LIFE_S };
  }

  /**
   * `stable_token`: the current token while it has more than 5 minutes left (expires_in is what it has left),
   * else a new one; force_refresh ends the current one at once, 20 times a day, 30 s apart.
   */
  stableToken(forceRefresh: boolean, day: string): { access_token: string; expires_in: number } | "limit" {
    const current = this.stable.current;
    const now = this.clock.now();
    if (forceRefresh && current !== undefined && now - this.force.lastAt >= FORCE_SPACING_MS) {
      if (this.force.day !== day) this.force = { day, count: 0, lastAt: this.force.lastAt };
      if (this.force.count >= FORCE_REFRESHES_PER_DAY) return "limit";
      this.force.count += 1;
      this.force.lastAt = now;
      this.stable.revoke(current);
      const token = this.stable.issue();
      return { access_token: token, expires_in: this.stable.remaining(token) };
    }
    const live = current !== undefined && this.stable.check(current) === "ok";
    if (current === undefined || !live || this.stable.remaining(current) <= OVERLAP_MS / 1000) {
      const token = this.stable.issue();
      return { access_token: token, expires_in: this.stable.remaining(token) };
    }
    return { access_token: current, expires_in: this.stable.remaining(current) };
  }

  /** Whether a token from either kind works. */
  check(token: string): TokenCheck {
    const plain = this.plain.check(token);
    return plain === "unknown" ? this.stable.check(token) : plain;
  }
}
