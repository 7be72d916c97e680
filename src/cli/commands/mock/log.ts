import type { PlatformStore } from "../../../core/platform/store.js";
import type { Output } from "../../output.js";
import { clipped, printable, printableJson } from "../../terminal/printable.js";
import { exchangeJson, renderExchange } from "../../messages/render.js";

const clock = (out: Output): string => out.c.dim(new Date().toTimeString().slice(0, 8));

/** One request line. The path and note come from the request (a redirect_uri, an error): bounded, escaped. */
export function logRequest(out: Output, line: { method: string; path: string; status: number; note?: string }): void {
  const note = line.note === undefined ? undefined : clipped(line.note, 300);
  if (out.json) out.line(printableJson(JSON.stringify({ ...line, note })));
  else
    out.line(
      `${clock(out)} ${line.status} ${printable(line.method)} ${printable(line.path)}` +
        `${note ? ` ${out.c.dim(printable(note))}` : ""}`,
    );
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
