/**
 * Daily call limits of a test account (测试号), per API, from the API_Call_Limits page's 测试号 column.
 * APIs that column does not list carry the normal account's figure (template send: the template page's
 * 100,000; stable_token: its own page's 500,000); the rest are not counted.
 */
export const TEST_ACCOUNT_QUOTAS: Record<string, number> = {
  "/cgi-bin/token": 200,
  "/cgi-bin/stable_token": 500_000,
  "/cgi-bin/menu/create": 100,
  "/cgi-bin/menu/get": 1_000,
  "/cgi-bin/menu/delete": 100,
  "/cgi-bin/media/upload": 500,
  "/cgi-bin/media/get": 1_000,
  "/cgi-bin/message/custom/send": 50_000,
  "/cgi-bin/message/template/send": 100_000,
  "/cgi-bin/qrcode/create": 10_000,
  "/cgi-bin/user/get": 100,
  "/cgi-bin/user/info": 500_000,
  "/cgi-bin/user/info/batchget": 500_000,
};

/** clear_quota: 10 times a month (its page; the platform's own reset button counts too). */
export const CLEARS_PER_MONTH = 10;

/** The day a quota counts in: the platform's calendar day, in China (UTC+8). */
export function quotaDay(ms: number): string {
  return new Date(ms + 8 * 3_600_000).toISOString().slice(0, 10);
}

/** Calls used per API today, and clear_quota's uses this month (part of the saved state). */
export interface QuotaState {
  day: string;
  used: Record<string, number>;
  clearMonth: string;
  clears: number;
}

/** Counts calls against TEST_ACCOUNT_QUOTAS; a new day starts every count at 0. */
export class Quotas {
  state: QuotaState = { day: "", used: {}, clearMonth: "", clears: 0 };

  constructor(private readonly now: () => number) {}

  /** Takes one call of `path`: false when today's limit is reached (45009). */
  take(path: string): boolean {
    const limit = TEST_ACCOUNT_QUOTAS[path];
    if (limit === undefined) return true;
    this.roll();
    const used = this.state.used[path] ?? 0;
    if (used >= limit) return false;
    this.state.used[path] = used + 1;
    return true;
  }

  /** `openapi/quota/get`: the limit, used and remaining calls of one API; undefined for an unknown path. */
  get(path: string): { daily_limit: number; used: number; remain: number } | undefined {
    const limit = TEST_ACCOUNT_QUOTAS[path];
    if (limit === undefined) return undefined;
    this.roll();
    const used = this.state.used[path] ?? 0;
    return { daily_limit: limit, used, remain: Math.max(0, limit - used) };
  }

  /** `clear_quota`: every count back to 0; false past CLEARS_PER_MONTH this month (48006). */
  clear(): boolean {
    const month = quotaDay(this.now()).slice(0, 7);
    if (this.state.clearMonth !== month) this.state = { ...this.state, clearMonth: month, clears: 0 };
    if (this.state.clears >= CLEARS_PER_MONTH) return false;
    this.state.clears += 1;
    this.state.used = {};
    return true;
  }

  private roll(): void {
    const day = quotaDay(this.now());
    if (this.state.day !== day) this.state = { ...this.state, day, used: {} };
  }
}
