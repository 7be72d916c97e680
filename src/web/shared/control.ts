import type { ExchangeResult } from "../../core/client/exchange.js";
import type { PlatformEvent } from "../../core/platform/events.js";

/** Where the mock's control endpoints are (the page is served by the same mock). */
const CONTROL = "/_wxdev/";

/** A push's answer from a control endpoint: the judged exchange, or why nothing was sent. */
export type PushAnswer =
  | { openid: string; pushed: true; mode: string; exchange: ExchangeResult; attempts?: ExchangeResult[] }
  | { openid: string; pushed: false; reason: string };

/** An answer the mock refused (4xx), with its one-line reason. */
export class ControlError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** POSTs JSON to a control endpoint and returns its JSON answer (ControlError for a refusal). */
export async function control<T = PushAnswer>(name: string, body: unknown): Promise<T> {
  const response = await fetch(`${CONTROL}${name}`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(body),
  });
  const answer = (await response.json().catch(() => ({}))) as T & { error?: string };
  if (!response.ok) throw new ControlError(response.status, answer.error ?? `${name}: HTTP ${response.status}`);
  return answer;
}

/** GETs a control endpoint's JSON (the account's state). */
export async function read<T>(name: string): Promise<T> {
  const response = await fetch(`${CONTROL}${name}`);
  if (!response.ok) throw new ControlError(response.status, `${name}: HTTP ${response.status}`);
  return (await response.json()) as T;
}

/** Watches the account's events (the mock's one SSE stream); the browser reconnects by itself. */
export function watchEvents(
  onEvent: (event: PlatformEvent) => void,
  onStatus?: (connected: boolean) => void,
): EventSource {
  const source = new EventSource(`${CONTROL}events`);
  const types: PlatformEvent["type"][] = ["api", "push", "message", "template", "typing", "menu", "follower", "clock"];
  for (const type of types)
    source.addEventListener(type, (event) => onEvent(JSON.parse((event as MessageEvent<string>).data)));
  source.addEventListener("open", () => onStatus?.(true));
  source.addEventListener("error", () => onStatus?.(false));
  return source;
}
