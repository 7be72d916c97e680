import type { HandshakeResult } from "../client/handshake.js";

/**
 * The signed handshake through `url` (the public checkUrl, through nginx), tried again every `intervalMs` while it
 * fails, for up to `forMs`: an app that has just opened its port may still be loading its routes.
 */
export async function handshakeThrough(
  url: string,
  token: string,
  options: { forMs?: number; intervalMs?: number } = {},
): Promise<HandshakeResult & { tries: number }> {
  const { handshake } = await import("../client/handshake.js");
  const { createTarget } = await import("../client/target.js");
  const deadline = Date.now() + (options.forMs ?? 5_000);
  const target = createTarget({ url, token });
  for (let tries = 1; ; tries++) {
    const result = await handshake(target);
    if (result.ok || Date.now() >= deadline) return { ...result, tries };
    await new Promise((resolve) => setTimeout(resolve, options.intervalMs ?? 200));
  }
}
