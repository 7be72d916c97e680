import type { DeployEvent } from "../../../core/deploy/deploy.js";
import { ExitCode } from "../../exit-code.js";
import type { Output } from "../../output.js";

/**
 * Ctrl-C during a deploy or rollback: says what is live, then stops (closing the connection,
 * which releases the server's lock). During the switch itself it waits for the switch to settle,
 * a matter of milliseconds, so what it says is true.
 */
export function onInterrupt(
  out: Output,
  close: () => void,
): { onEvent: (event: DeployEvent) => void; dispose: () => void } {
  let live: { state: "unchanged" } | { state: "switching" | "switched"; release: string } = { state: "unchanged" };
  let pending = false;
  const stop = (): never => {
    // One line in the form of every other way wxdev stops.
    out.note(
      live.state === "switched"
        ? `wxdev: interrupted: release ${live.release} is live (the post-deploy command may not have finished)`
        : "wxdev: interrupted: the live release is unchanged",
    );
    close();
    process.exit(ExitCode.Interrupted);
  };
  const handler = (): void => {
    if (live.state === "switching") pending = true;
    else stop();
  };
  process.on("SIGINT", handler);
  return {
    onEvent: (event) => {
      if (event.type === "switching") live = { state: "switching", release: event.release };
      if (event.type === "switched") {
        live = { state: "switched", release: event.release };
        if (pending) stop();
      }
    },
    // A switch that failed while Ctrl-C waited ends as that failure, whose message says the live
    // directory is untouched.
    dispose: () => void process.off("SIGINT", handler),
  };
}
