import { randomBytes } from "node:crypto";
import type { Scope } from "../oauth/authorize-url.js";

/** A grant: which user agreed to which scope. */
interface Grant {
  user: number;
  scope: Scope;
}

interface Expiring<T> {
  value: T;
  expires: number;
}

export const CODE_LIFETIME_MS = 5 * 60_000;
export const ACCESS_TOKEN_LIFETIME_S = 7200;
export const REFRESH_TOKEN_LIFETIME_MS = 30 * 24 * 3600_000;

type Lookup<T> = { ok: true; value: T } | { ok: false; reason: "unknown" | "used" | "expired" };

/**
 * Entries kept per kind at most: anyone who reaches the mock can ask for codes, unauthenticated, as fast as it
 * answers. Past this the oldest go first (issued in order, they expire in order).
 */
export const MAX_ENTRIES = 10_000;
/** How long a used or expired entry is still remembered, so that reusing it is answered "used"/"expired". */
const REMEMBERED_MS = CODE_LIFETIME_MS;

/** Adds an entry to a map kept in issue order: first drops those long expired, then the oldest past the cap. */
function admit<T extends { expires: number }>(map: Map<string, T>, key: string, entry: T, now: number): void {
  for (const [oldest, { expires }] of map) {
    if (expires + REMEMBERED_MS > now && map.size < MAX_ENTRIES) break;
    map.delete(oldest);
  }
  map.set(key, entry);
}

/**
 * Web authorisation's state, in memory only: codes (single use, 5 minutes), users' access tokens (2 hours) and
 * refresh tokens (30 days); each kind bounded (MAX_ENTRIES).
 */
export class OAuthStore {
  private readonly codes = new Map<string, Expiring<Grant> & { used: boolean }>();
  private readonly accessTokens = new Map<string, Expiring<Grant>>();
  private readonly refreshTokens = new Map<string, Expiring<Grant>>();

  constructor(private readonly now: () => number = Date.now) {}

  /** How many codes and tokens it holds. */
  get size(): number {
    return this.codes.size + this.accessTokens.size + this.refreshTokens.size;
  }

  /** Issues a fresh code for a grant. */
  issueCode(grant: Grant): string {
    const code = randomBytes(16).toString("hex");
    admit(this.codes, code, { value: grant, expires: this.now() + CODE_LIFETIME_MS, used: false }, this.now());
    return code;
  }

  /** Uses a code up: it works once, within its lifetime. */
  redeemCode(code: string): Lookup<Grant> {
    const entry = this.codes.get(code);
    if (entry === undefined) return { ok: false, reason: "unknown" };
    if (entry.used) return { ok: false, reason: "used" };
    if (entry.expires <= this.now()) return { ok: false, reason: "expired" };
    entry.used = true;
    return { ok: true, value: entry.value };
  }

  /** Issues an access token and its refresh token for a grant. */
  issueTokens(grant: Grant): { accessToken: string; refreshToken: string } {
    const accessToken = randomBytes(24).toString("base64url");
    const refreshToken = randomBytes(24).toString("base64url");
    const now = this.now();
    admit(this.accessTokens, accessToken, { value: grant, expires: now + ACCESS_TOKEN_LIFETIME_S * 1000 }, now);
    admit(this.refreshTokens, refreshToken, { value: grant, expires: now + REFRESH_TOKEN_LIFETIME_MS }, now);
    return { accessToken, refreshToken };
  }

  /** A user's access token (web authorisation). */
  accessToken(token: string): Lookup<Grant> {
    return this.lookup(this.accessTokens, token);
  }

  refreshToken(token: string): Lookup<Grant> {
    return this.lookup(this.refreshTokens, token);
  }

  private lookup<T>(map: Map<string, Expiring<T>>, key: string): Lookup<T> {
    const entry = map.get(key);
    if (entry === undefined) return { ok: false, reason: "unknown" };
    if (entry.expires <= this.now()) return { ok: false, reason: "expired" };
    return { ok: true, value: entry.value };
  }
}
