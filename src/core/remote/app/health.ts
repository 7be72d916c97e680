import type { HandshakeResult } from "../../client/handshake.js";

/** Answers no retry changes: the app runs and refused the signature (its Token is another). */
const REFUSED = new Set([401, 403]);

/**
 * The signed handshake through `url` (the public checkUrl, through nginx), tried again every `intervalMs` while it
 * fails, for up to `forMs`: an app that has just opened its port may still be loading its routes. A refused
 * signature (401, 403) is final at once. `tokenFrom` says where the Token came from, for that message.
 */
export async function handshakeThrough(
  url: string,
  token: string,
  options: { forMs?: number; intervalMs?: number; tokenFrom?: string } = {},
): Promise<HandshakeResult & { tries: number }> {
  const { handshake } = await import("../../client/handshake.js");
  const { createTarget } = await import("../../client/target.js");
  const deadline = Date.now() + (options.forMs ?? 5_000);
  const target = createTarget({
    url,
    token,
    ...(options.tokenFrom === undefined ? {} : { origin: { tokenFrom: options.tokenFrom } }),
  });
  for (let tries = 1; ; tries++) {
    const result = await handshake(target);
    if (result.ok || REFUSED.has(result.status) || Date.now() >= deadline) return { ...result, tries };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
