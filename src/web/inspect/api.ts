import type { ReplayOutcome } from "../../core/client/replay.js";
import type { ExchangeDetail } from "../../core/inspect/detail.js";
import type { InspectInfo } from "../../core/inspect/server.js";
import type { ExchangeSummary } from "../../core/inspect/store.js";

export type { ExchangeDetail, ExchangeSummary, InspectInfo, ReplayOutcome };

async function asJson<T>(response: Response): Promise<T> {
  const value = (await response.json()) as T & { error?: string; hint?: string };
  if (!response.ok)
    throw new Error(value.hint ? `${value.error} (${value.hint})` : (value.error ?? response.statusText));
  return value;
}

export const getInfo = (): Promise<InspectInfo> => fetch("/api/info").then((r) => asJson<InspectInfo>(r));

export const getExchanges = (): Promise<ExchangeSummary[]> =>
  fetch("/api/exchanges").then((r) => asJson<ExchangeSummary[]>(r));

export const getDetail = (id: number): Promise<ExchangeDetail> =>
  fetch(`/api/exchanges/${id}`).then((r) => asJson<ExchangeDetail>(r));

/** Replays an exchange (its message replaced by `edited` when given). */
export const replay = (id: number, edited?: string): Promise<{ outcome: ReplayOutcome }> =>
  fetch(`/api/exchanges/${id}/replay`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(edited === undefined ? {} : { edited }),
  }).then((r) => asJson<{ outcome: ReplayOutcome }>(r));

/** The NDJSON file of the exchanges chosen, for `wxdev simulate --replay`. */
export const exportUrl = (ids: readonly number[]): string => `/api/export?ids=${ids.join(",")}`;

/** Calls `onExchange` for each exchange as it happens (the browser reconnects by itself). */
export function watch(onExchange: (summary: ExchangeSummary) => void, onState: (live: boolean) => void): void {
  const events = new EventSource("/api/events");
  events.addEventListener("exchange", (event) => onExchange(JSON.parse((event as MessageEvent<string>).data)));
  events.addEventListener("open", () => onState(true));
  events.addEventListener("error", () => onState(false));
}
