import type { PlatformStore } from "../../../core/platform/store.js";
import type { Output } from "../../output.js";
import { exchangeLine, recordJson } from "../../exchanges/line.js";
import { printableJson } from "../../terminal/printable.js";
import { exchangeJson, renderExchange } from "../../messages/render.js";

const clock = (out: Output): string => out.c.dim(new Date().toTimeString().slice(0, 8));

/** An API request to the mock, as the one request-log line tells it (no body: the log does not quote them). */
export interface ApiRequestLine {
  method: string;
  path: string;
  status: number;
  latencyMs: number;
  /** What the mock said of it (a redirect's target, an error). */
  note?: string;
}

/** One request line, as serve and the tunnel print theirs. */
export function logRequest(out: Output, line: ApiRequestLine): void {
  const { method, path, status, latencyMs, note } = line;
  const record = { time: new Date().toISOString(), method, path, body: "", status, reply: "", latencyMs, error: note };
  if (out.json) out.line(recordJson(record));
  else out.line(exchangeLine(out, record));
}

/** Prints what happens on the account: each push and the app's answer judged as `simulate` does, deliveries. */
export function logEvents(out: Output, store: PlatformStore, mode: string): void {
  store.events.watch((event) => {
    if (event.type === "push") {
      const again = (event.attempt ?? 1) > 1 ? ` (WeChat's try ${event.attempt} of 3)` : "";
      if (out.json) {
        const exchange = event.result === undefined ? undefined : exchangeJson(event.result);
        out.line(
          printableJson(
            JSON.stringify({
              push: event.what,
              openid: event.openid,
              attempt: event.attempt,
              skipped: event.skipped,
              exchange,
            }),
          ),
        );
      } else if (event.result === undefined) {
        out.line(`${clock(out)} push ${event.what}: ${out.c.dim(event.skipped ?? "not sent")}`);
      } else {
        out.line(`${clock(out)} push ${event.what} to the app${again}:`);
        renderExchange(out, event.result, mode);
      }
    } else if (event.type === "message" || event.type === "template") {
      const what = event.type === "message" ? `customer-service ${event.msgtype}` : `template message ${event.msgid}`;
      if (out.json) out.line(printableJson(JSON.stringify({ delivered: what, openid: event.openid })));
      else out.line(`${clock(out)} ${out.c.green("→ phone")} ${what} to ${event.openid}`);
    }
  });
}
