/** What stops a command: Ctrl-C, and SIGTERM (a service manager's or `kill`'s stop) for what runs until stopped. */
type StopSignal = "SIGINT" | "SIGTERM";

export interface StopOptions {
  /** Hear SIGTERM too (true): a server's stop. A run cut short by Ctrl-C hears only SIGINT. */
  terminate?: boolean;
  /**
   * What a signal after the first does: "kill" (the handlers are gone, so it ends the process as it would anywhere)
   * or "ignore" (a stop under way, such as closing a tunnel or settling a switch, is not cut short).
   */
  again?: "kill" | "ignore";
}

/** A command's way to hear that it is asked to stop. `dispose` when done: signals then do what they do by default. */
export interface Stop {
  /** Aborts at the first signal. */
  readonly signal: AbortSignal;
  /** Settles at the first signal. */
  readonly stopped: Promise<void>;
  /** Runs `stop` at the first signal, or at once when that has come already. */
  whenStopped(stop: () => void): void;
  dispose(): void;
}

/** The one place a command listens for Ctrl-C (and SIGTERM); no command exits itself (main() is the one exit). */
export function onStop({ terminate = true, again = "kill" }: StopOptions = {}): Stop {
  const controller = new AbortController();
  const signals: StopSignal[] = terminate ? ["SIGINT", "SIGTERM"] : ["SIGINT"];
  const dispose = (): void => {
    for (const name of signals) process.off(name, handler);
  };
  const handler = (): void => {
    if (again === "kill") dispose();
    controller.abort();
  };
  for (const name of signals) process.on(name, handler);
  const whenStopped = (stop: () => void): void => {
    if (controller.signal.aborted) stop();
    else controller.signal.addEventListener("abort", stop, { once: true });
  };
  return {
    signal: controller.signal,
    stopped: new Promise((resolve) => whenStopped(resolve)),
    whenStopped,
    dispose,
  };
}

/** A command cut short by Ctrl-C: main() says the message (what was left in which state) and returns 130. */
export class InterruptedError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "InterruptedError";
  }
}
