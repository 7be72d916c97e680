import { fstatSync, statSync, writeSync } from "node:fs";
import type { Writable } from "node:stream";

type Output = Writable & { isTTY?: boolean; columns?: number };

/**
 * Standard output or error, with the `process.stdout`/`stderr` stream built only when something needs the
 * stream itself (readline, a listener…). Building one loads node:stream, and for a terminal tty and net,
 * a good part of a start-up whose whole output is some text. Until then text to a file, a terminal or /dev/null
 * goes out with writeSync, in order with the stream's own writes, which to those are synchronous too.
 * A pipe or socket always gets the stream: a blocking write to a pipe nobody empties would stop `serve`,
 * where the stream queues and serving goes on. So does Windows, whose console wants the stream's encoding.
 * `onClosed` runs when the reader has gone (`wxdev … | head -1`).
 */
export function lazyOutput(fd: 1 | 2, open: () => NodeJS.WriteStream, onClosed: () => void): Output {
  let stream: NodeJS.WriteStream | undefined;
  const real = (): NodeJS.WriteStream => {
    if (stream === undefined) {
      stream = open();
      stream.on("error", (error: NodeJS.ErrnoException) => {
        if (error.code !== "EPIPE") throw error;
        onClosed();
      });
    }
    return stream;
  };
  let kind: Kind | undefined;
  const kindOf = (): Kind => (kind ??= kindOfDescriptor(fd));
  // Only a character device other than /dev/null may be a terminal: only then is the stream built to ask.
  const isTTY = (): boolean => (stream !== undefined || kindOf() === "device" ? real().isTTY === true : false);

  const write = (chunk: string | Uint8Array, ...rest: unknown[]): boolean => {
    if (stream !== undefined || rest.length > 0 || kindOf() === "stream")
      return (real().write as (...args: unknown[]) => boolean)(chunk, ...rest);
    const bytes = typeof chunk === "string" ? Buffer.from(chunk) : chunk;
    let written = 0;
    try {
      while (written < bytes.length) written += writeSync(fd, bytes, written);
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === "EPIPE") onClosed();
      // A terminal another program left non-blocking, and full: the stream waits for it.
      else if (code === "EAGAIN") return real().write(bytes.subarray(written));
      else throw error;
    }
    return true;
  };

  return new Proxy({} as Output, {
    get(_, key) {
      if (key === "write") return write;
      if (key === "isTTY") return isTTY();
      if (key === "columns") return isTTY() ? real().columns : undefined;
      const value: unknown = Reflect.get(real(), key);
      return typeof value === "function" ? value.bind(real()) : value;
    },
  });
}

/**
 * How to write to a descriptor: `file` (a file or /dev/null) and `device` (maybe a terminal) take writeSync;
 * `stream` is a pipe, a socket, or anything on Windows.
 */
type Kind = "file" | "device" | "stream";

function kindOfDescriptor(fd: number): Kind {
  if (process.platform === "win32") return "stream";
  try {
    const output = fstatSync(fd);
    if (output.isFile()) return "file";
    if (!output.isCharacterDevice()) return "stream";
    const discarded = statSync("/dev/null");
    return output.dev === discarded.dev && output.ino === discarded.ino ? "file" : "device";
  } catch {
    return "stream";
  }
}
