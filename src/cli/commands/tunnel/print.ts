import { callbackPath } from "../../../core/config/class-account.js";
import type { TunnelCheck } from "../../../core/remote/tunnel/check.js";
import type { TunnelEvent } from "../../../core/remote/tunnel/tunnel.js";
import type { BatchedLines } from "../../terminal/batched-lines.js";
import type { Output } from "../../output.js";
import { printable, printableJson } from "../../terminal/printable.js";
import { exchangeLine, recordJson } from "../../exchanges/line.js";

/** Where the tunnel leads, for its first line. */
export interface TunnelRoute {
  name: string;
  publicUrl?: string;
  remotePort: number;
  localPort: number;
  /** The reference server wxdev started behind the tunnel (--serve), if any. */
  served?: string;
  /** The --record file, as given. */
  recording?: string;
}

/** The tunnel's first line: the public URL and the path it takes. */
export function printUp(out: Output, route: TunnelRoute): void {
  if (out.json) {
    out.line(JSON.stringify({ event: "up", ...route }));
    return;
  }
  const url = route.publicUrl ?? `(no "checkUrl" for ${route.name}: http://<host>${callbackPath(route.remotePort)})`;
  const local = route.served === undefined ? "" : ` (wxdev serve: ${route.served})`;
  out.line(
    `${out.ok("✓")} tunnel up: ${out.c.bold(url)} → ${route.name} 127.0.0.1:${route.remotePort}` +
      ` → this machine 127.0.0.1:${route.localPort}${local}`,
  );
  if (route.recording !== undefined)
    out.line(`recording each exchange to ${route.recording} (replay it: wxdev simulate --replay ${route.recording})`);
  out.line(out.c.dim("Requests are logged below. Press Ctrl-C to stop (the server's port is released at once)."));
}

/** Renders one of the tunnel's events: the request log on stdout, connection news on stderr (NDJSON with --json). */
export function printTunnelEvent(out: Output, log: BatchedLines, event: TunnelEvent): void {
  // The first "up" is printed by printUp, with the public URL.
  if (event.type === "up" && !event.reconnected) return;
  if (out.json) {
    if (event.type === "exchange") {
      log.line(recordJson(event.exchange, { event: "request" }));
    } else {
      const { type, ...rest } = event;
      const named = { event: type === "up" ? "reconnected" : type, ...rest, reconnected: undefined };
      log.line(printableJson(JSON.stringify(named)));
    }
    return;
  }
  switch (event.type) {
    case "exchange":
      log.line(exchangeLine(out, event.exchange));
      return;
    case "up": {
      log.flush();
      const ended =
        event.endedStale === undefined
          ? ""
          : ` (the dropped session still held it: ended it, sshd pid ${event.endedStale})`;
      out.note(`${out.ok("✓")} reconnected: port ${event.remotePort} forwarded again${ended}`);
      return;
    }
    case "lost":
      log.flush();
      out.warn(`${event.reason}; reconnecting`);
      return;
    case "retry": {
      const last = event.lastError === undefined ? "" : ` (last try: ${printable(event.lastError)})`;
      const when = event.delayMs === 0 ? "now" : `in ${(event.delayMs / 1000).toFixed(1)} s`;
      out.note(out.c.dim(`reconnecting ${when}, attempt ${event.attempt}${last}`));
      return;
    }
  }
}

/** The --check verdict: the whole path proven, or where it broke. */
export function printCheck(out: Output, check: TunnelCheck): void {
  if (out.json) {
    out.line(JSON.stringify({ event: "check", ...check }));
    return;
  }
  if (check.ok)
    out.line(
      `${out.ok("✓")} handshake through ${check.url} (nginx → server → tunnel → this machine,` +
        ` ${Math.round(check.latencyMs)} ms)`,
    );
  else out.error(`--check failed: ${check.problem}`);
}
