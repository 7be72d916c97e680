import type { TunnelExchange } from "./proxy.js";

/** The verdict of the signed handshake through checkUrl, and where the path broke when it failed. */
export interface TunnelCheck {
  ok: boolean;
  url: string;
  status: number;
  latencyMs: number;
  /** Which part of nginx → server → tunnel → laptop failed, and why (undefined when ok). */
  problem?: string;
}

/**
 * Does the signed handshake through `url` (the public checkUrl) and, when it fails, tells where it broke by what
 * the tunnel itself saw of it: nothing (nginx or the server), its own 502 (the laptop's app), or the app's answer.
 */
export async function checkThroughTunnel(
  url: string,
  token: string,
  options: { seen: () => readonly TunnelExchange[]; remotePort: number; forMs?: number },
): Promise<TunnelCheck> {
  const { handshakeThrough } = await import("../app/health.js");
  const result = await handshakeThrough(url, token, { forMs: options.forMs ?? 2_000 });
  const verdict = {
    ok: result.ok,
    url: result.url.split("?")[0] ?? url,
    status: result.status,
    latencyMs: result.latencyMs,
  };
  if (result.ok) return verdict;
  const said = result.problems[0]?.message ?? `HTTP ${result.status}`;
  const mine = options.seen().find((exchange) => exchange.path.includes(`echostr=${result.echostr}`));
  if (mine === undefined)
    return {
      ...verdict,
      problem:
        `the handshake never reached the tunnel (${said}): the web server behind ${verdict.url} does not pass it to` +
        ` 127.0.0.1:${options.remotePort} on the server (check its nginx location, e.g. wxdev nginx <server>)`,
    };
  if (mine.error !== undefined) return { ...verdict, problem: `the handshake reached the tunnel, but ${mine.error}` };
  return { ...verdict, problem: `the handshake reached your app on the laptop, which answered wrongly: ${said}` };
}
