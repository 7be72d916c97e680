import { closeSync, openSync, writeSync } from "node:fs";
import { InputError } from "../../../core/support/errors.js";
import { formatRecord } from "../../../core/wire/exchange-record.js";
import { readProblem } from "../../../core/support/read-file.js";
import type { TunnelExchange } from "../../../core/remote/tunnel/tunnel.js";

/** The --record file, open for appending. */
export interface Recording {
  write(exchange: TunnelExchange): void;
  close(): void;
}

/** What one run of the tunnel appends to a --record file at most: a flood of requests cannot fill the disk. */
export const MAX_RECORDING_BYTES = 100 * 1024 * 1024;

/**
 * Opens FILE for appending before the tunnel starts, so a path that cannot be written is bad input at once, not a
 * lost recording later. Each exchange is one write of one whole line (O_APPEND), so lines never interleave. A write
 * that fails later (a full disk), or one that would take this run past `maxBytes`, stops the recording and is told
 * through `onFailure`, once; the tunnel lives on. Bodies and replies come clipped (TunnelExchange), so one line is
 * bounded too.
 */
export function openRecording(
  file: string,
  onFailure: (message: string) => void,
  maxBytes = MAX_RECORDING_BYTES,
): Recording {
  let fd: number;
  try {
    fd = openSync(file, "a", 0o600); // new files private: they hold users' messages
  } catch (cause) {
    throw new InputError(`cannot write --record ${file}: ${readProblem(cause)}`, {
      hint: "name a file in a folder that exists and you can write",
      cause,
    });
  }
  let stopped = false;
  let written = 0;
  return {
    write: (exchange) => {
      if (stopped) return;
      const line = formatRecord({ ...exchange, latencyMs: Math.round(exchange.latencyMs * 10) / 10 });
      written += Buffer.byteLength(line);
      if (written > maxBytes) {
        stopped = true;
        onFailure(
          `--record stopped: ${file} grew by ${Math.round(maxBytes / 1024 / 1024)} MiB in this run, its cap;` +
            " the tunnel goes on without it (start again to record more)",
        );
        return;
      }
      try {
        writeSync(fd, line);
      } catch (cause) {
        stopped = true;
        onFailure(`--record stopped: cannot write ${file}: ${readProblem(cause)}; the tunnel goes on without it`);
      }
    },
    close: () => closeSync(fd),
  };
}
