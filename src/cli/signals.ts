/** Waits for Ctrl-C or SIGTERM, then runs `close` (a server's clean shutdown). */
export function untilStopped(close: () => Promise<void>): Promise<void> {
  return new Promise((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      void close().then(resolve);
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}

/** An AbortSignal the first Ctrl-C fires; a second Ctrl-C kills the process as usual. `dispose` when done. */
export function interruptSignal(): { signal: AbortSignal; dispose: () => void } {
  const controller = new AbortController();
  const stop = (): void => {
    process.off("SIGINT", stop);
    controller.abort();
  };
  process.on("SIGINT", stop);
  return { signal: controller.signal, dispose: () => process.off("SIGINT", stop) };
}

/**
 * Ctrl-C or SIGTERM closes what is attached; a signal that comes before `attach` closes it as soon as it is
 * attached. `dispose` when done.
 */
export function closeOnSignal(): { attach(closable: { close(): Promise<void> }): void; dispose(): void } {
  let closable: { close(): Promise<void> } | undefined;
  let requested = false;
  const stop = (): void => {
    requested = true;
    if (closable !== undefined) void closable.close();
  };
  process.on("SIGINT", stop);
  process.on("SIGTERM", stop);
  return {
    attach(opened) {
      closable = opened;
      if (requested) void opened.close();
    },
    dispose() {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
    },
  };
}
