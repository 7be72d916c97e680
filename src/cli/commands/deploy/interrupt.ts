import type { DeployEvent } from "../../../core/deploy/deploy.js";
import { InterruptedError, onStop } from "../../on-stop.js";

/** What Ctrl-C left live, in the one line main() prints for it. */
type Live = { state: "unchanged" } | { state: "switching" | "switched"; release: string };

/**
 * Ctrl-C during a deploy or rollback: closes the connection (which releases the server's lock) and ends the work
 * with an InterruptedError saying what is live. During the switch itself it waits for the switch to settle, a
 * matter of milliseconds, so what it says is true.
 */
export function onInterrupt(close: () => void): {
  onEvent: (event: DeployEvent) => void;
  /** `work`, unless Ctrl-C comes first: then the InterruptedError, at once. */
  guard: <T>(work: Promise<T>) => Promise<T>;
  dispose: () => void;
} {
  let live: Live = { state: "unchanged" };
  let pending = false;
  let interrupt: (error: InterruptedError) => void = () => {};
  const interrupted = new Promise<never>((_, reject) => {
    interrupt = reject;
  });
  interrupted.catch(() => {}); // guard() may not be waiting yet, or the work may end first
  const stop = (): void => {
    close();
    interrupt(
      new InterruptedError(
        live.state === "switched"
          ? `interrupted: release ${live.release} is live (the post-deploy command may not have finished)`
          : "interrupted: the live release is unchanged",
      ),
    );
  };
  const signals = onStop({ terminate: false, again: "ignore" });
  signals.whenStopped(() => {
    if (live.state === "switching") pending = true;
    else stop();
  });
  return {
    onEvent: (event) => {
      if (event.type === "switching") live = { state: "switching", release: event.release };
      if (event.type === "switched") {
        live = { state: "switched", release: event.release };
        if (pending) stop();
      }
    },
    guard: (work) => {
      // The work ends in an error of its own once the connection is closed: the interruption tells that story.
      work.catch(() => {});
      return Promise.race([work, interrupted]);
    },
    // A switch that failed while Ctrl-C waited ends as that failure, whose message says the live
    // directory is untouched.
    dispose: signals.dispose,
  };
}
