import type { CsWindow, Follower } from "./store.js";

/**
 * The customer-service window (客服消息 page, rules since 2023-06-12): a user's message allows 5 messages in
 * 48 hours; a menu click (click, scancode_push, scancode_waitmsg), a follow or a scan allows 3 in 1 minute.
 * Allowances do not add up: a new interaction replaces the window with its own.
 */
export const WINDOWS = {
  message: { ms: 48 * 3_600_000, count: 5 },
  action: { ms: 60_000, count: 3 },
} as const;

/** Events that open the 1-minute window; other events (VIEW, LOCATION, …) open none. */
export const WINDOW_EVENTS = new Set(["subscribe", "SCAN", "CLICK", "scancode_push", "scancode_waitmsg"]);

/** Customer-service typing: within 30 s of a message either way, lasting 15 s. */
export const TYPING_NEEDS_MS = 30_000;
export const TYPING_LASTS_MS = 15_000;

/** A user interacted: the window of that kind opens (replacing any other). */
export function openWindow(follower: Follower, kind: CsWindow["kind"], now: number): void {
  follower.window = { kind, openedAt: now, used: 0 };
  follower.lastExchangeAt = now;
}

/** Whether a customer-service message may go now: yes, or 45015 (no window) / 45047 (its count used). */
export function windowAllows(follower: Follower, now: number): "ok" | 45015 | 45047 {
  const window = follower.window;
  if (!follower.subscribed || window === undefined) return 45015;
  const rule = WINDOWS[window.kind];
  if (now >= window.openedAt + rule.ms) return 45015;
  return window.used >= rule.count ? 45047 : "ok";
}

/** Words for why a window refused, for the rid log. */
export function windowWhy(follower: Follower, code: 45015 | 45047): string {
  if (!follower.subscribed) return "the user unfollowed";
  const window = follower.window;
  if (window === undefined) return "the user has not interacted (message, menu click, follow or scan)";
  const rule = WINDOWS[window.kind];
  const opened = window.kind === "message" ? "a message: 5 in 48 hours" : "a click, follow or scan: 3 in 1 minute";
  return code === 45047 ? `all ${rule.count} used (${opened})` : `the window closed (${opened})`;
}
