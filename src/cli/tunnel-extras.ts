import { closeSync, openSync, writeSync } from "node:fs";
import { callbackPath } from "../core/config/class-account.js";
import type { Settings } from "../core/config/settings.js";
import { InputError, WxdevError } from "../core/support/errors.js";
import { formatRecord } from "../core/wire/exchange-record.js";
import { readProblem } from "../core/support/read-file.js";
import type { AppTarget } from "../core/remote/app/app.js";
import type { Connection } from "../core/remote/ssh/connection.js";
import type { RemoteShell } from "../core/remote/shell.js";
import type { TunnelExchange } from "../core/remote/tunnel/tunnel.js";
import { required } from "./context.js";
import type { Output } from "./output.js";

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

/** Opens safe-mode bodies for the log when the account's EncodingAESKey and appId are configured. */
export async function logDecrypter(settings: Settings): Promise<((encrypted: string) => string) | undefined> {
  const { aesKey, appId } = settings;
  if (aesKey === undefined || aesKey === "" || appId === undefined || appId === "") return undefined;
  const { MessageCrypto } = await import("../core/wire/crypto.js");
  try {
    const crypto = new MessageCrypto({ token: settings.token ?? "", encodingAESKey: aesKey, appId });
    return (encrypted) => crypto.decrypt(encrypted);
  } catch {
    return undefined; // a malformed key: the log says "encrypted", and --serve reports the key itself
  }
}

/** --serve: wxdev's reference server on the local port, at checkUrl's path (else /wechat<port>). */
export async function startLocalServer(
  settings: Settings,
  where: { localPort: number; remotePort: number; publicUrl?: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const { createWechatServer } = await import("../core/server/http.js");
  let path = callbackPath(where.remotePort);
  if (where.publicUrl !== undefined) {
    try {
      path = new URL(where.publicUrl).pathname;
    } catch {
      // A checkUrl that is not a URL is reported by --check; the default path serves meanwhile.
    }
  }
  const server = createWechatServer({
    host: "127.0.0.1",
    port: where.localPort,
    path,
    token: required(settings, "token"),
    mode: settings.mode,
    aesKey: settings.aesKey,
    appId: settings.appId,
  });
  try {
    return await server.listen();
  } catch (error) {
    if (error instanceof WxdevError && /already in use/.test(error.message))
      throw new InputError(`--serve cannot listen on 127.0.0.1:${where.localPort}: something here already does`, {
        hint: "stop it, or leave out --serve to tunnel to it (or pick another --local-port)",
        cause: error,
      });
    throw error;
  }
}

/**
 * --takeover: stops the managed app (when it runs) and returns what starts it again once the tunnel has released
 * the port; undefined when there was nothing to stop.
 */
export async function takeOver(
  shell: RemoteShell,
  target: AppTarget,
  name: string,
  out: Output,
): Promise<((connect: () => Promise<Connection>) => Promise<void>) | undefined> {
  if (target.server.start === undefined)
    throw new InputError(`--takeover needs the managed app: ${name} has no "start" command`, {
      hint: `without one, stop the app on ${name} yourself, then run wxdev tunnel ${name}`,
    });
  const { appStatus, startApp, stopApp } = await import("../core/remote/app/app.js");
  const status = await appStatus(shell, target);
  if (!status.running) {
    out.note(`--takeover: no app wxdev started is running on ${name}; nothing to stop or restart`);
    return undefined;
  }
  const { stopped } = await stopApp(shell, target.server);
  out.note(`--takeover: stopped the app on ${name} (pid ${stopped}); it starts again when the tunnel closes`);
  return async (connect) => {
    const connection = await connect();
    try {
      const started = await startApp(connection.shell, target);
      out.note(`${out.ok("✓")} --takeover: started the app on ${name} again (pid ${started.pid})`);
    } finally {
      connection.close();
    }
  };
}
