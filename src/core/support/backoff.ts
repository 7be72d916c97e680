/**
 * How long to wait before reconnecting attempt `attempt` (1-based) after a dropped connection: at once, then 0.5,
 * 1, 2, 4, 8, and every 10 s.
 */
export const backoff = (attempt: number): number => (attempt === 1 ? 0 : Math.min(10_000, 500 * 2 ** (attempt - 2)));
