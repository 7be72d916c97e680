import type { ServerConfig } from "../../config/file.js";
import { InputError } from "../../support/errors.js";
import { remoteLayout } from "../layout.js";
import type { RemoteShell } from "../shell.js";
import { type AppOptions, appOptions, output, type ReleaseEvent } from "./events.js";
import { gate, type GateResult } from "./gate.js";
import { listScript, parseListing } from "./list.js";
import { type PostResult, postFailed, runPost } from "./post.js";
import { type Stage, switchingBack, underLock } from "./session.js";
import { DeployError, firstLine, remoteFailure } from "./steps.js";
import { rollbackScript } from "./switch.js";

/**
 * What a rollback did: the switch, the post command, and the health gate (server.start): the release rolled back
 * to brought up, or, when it does not come up, the switch back to the one rolled back from.
 */
export interface RollbackResult {
  from: string;
  to: string;
  /** The release was named (--rollback ID) although it failed its health gate before. */
  failedBefore?: true;
  post?: PostResult;
  app?: GateResult;
  notStarted?: string;
}

/**
 * Switches the live link back to the release that was live before the current one (by the history), or to `to`,
 * under the deploy lock; reads it back, then runs the post-deploy command (the app restarts on the old files),
 * then, with server.start, restarts the managed app and checks that it answers.
 */
export async function rollback(
  shell: RemoteShell,
  server: ServerConfig,
  options: {
    /** A release id to return to, instead of the one live before. */
    to?: string;
    post?: string | null;
    onEvent?: (event: ReleaseEvent) => void;
    holder?: string;
    lockWaitSeconds?: number;
    app?: AppOptions;
    reconnect?: () => Promise<RemoteShell>;
  } = {},
): Promise<RollbackResult> {
  const layout = remoteLayout(server.remoteDir);
  const stage: Stage = { during: "the rollback", live: { state: "unchanged" } };
  const body = async (underLock?: string): Promise<RollbackResult> => {
    const listing = parseListing(underLock ?? "");
    const from = listing.live;
    if (from === undefined)
      throw new InputError("cannot roll back: no wxdev release is live", {
        hint: "deploy first (wxdev deploy <server>)",
      });
    const ids = listing.releases.map((release) => release.id);
    if (options.to !== undefined && !ids.includes(options.to))
      throw new InputError(`no release ${options.to} on the server`, { hint: `known releases: ${ids.join(", ")}` });
    if (options.to === from) throw new InputError(`release ${from} is already live`, { hint: "name another release" });
    const to = options.to ?? listing.rollbackTarget;
    const failed = listing.releases.filter((release) => release.gate === "failed").map((release) => release.id);
    if (to === undefined) {
      const passedOver = failed.length > 0 ? " that passed its health gate" : "";
      throw new InputError(`cannot roll back: no release${passedOver} was live before ${from} (or it is gone)`, {
        hint: `name one: wxdev deploy <server> --rollback ID (known: ${ids.join(", ")}; wxdev releases shows them)`,
      });
    }
    stage.live = { state: "switching", release: to, from };
    const result = await shell.exec(rollbackScript(layout, from, to));
    const live = result.stdout.split("\n")[0] ?? "";
    if (!live.endsWith(`/${to}`)) {
      if (result.code !== 0) throw remoteFailure("rolling back", result.stderr);
      throw new DeployError(`the rollback did not take: the live directory points at ${live || "nothing"}, not ${to}`, {
        hint: "check the remote directory (ls -l), then try again",
      });
    }
    stage.live = { state: "switched", release: to };
    if (result.code !== 0)
      throw new DeployError(`release ${to} is live, but recording the rollback failed: ${firstLine(result.stderr)}`, {
        hint: "check the releases folder on the server (wxdev releases <server>)",
      });
    const post = options.post === undefined ? server.postDeploy : options.post;
    stage.during = "the post-deploy command";
    const done: RollbackResult = { from, to, ...(failed.includes(to) ? { failedBefore: true as const } : {}) };
    if (post) done.post = await runPost(shell, server, post, { release: to, onOutput: output(options.onEvent) });
    if (server.start === undefined || options.app?.start === false) return done;
    if (postFailed(done.post)) return { ...done, notStarted: "the post-deploy command failed" };
    stage.during = "starting the app";
    // A release that does not come up is undone as a failed deploy is: back to `from`, started, checked.
    const app = await gate(shell, server, {
      ...appOptions(options),
      release: to,
      previous: from,
      rollback: true,
      onSwitchBack: switchingBack(stage),
      onWarning: (message) => options.onEvent?.({ type: "warning", message }),
    });
    return { ...done, app };
  };
  return underLock(shell, layout, { ...options, server }, stage, body, listScript(layout));
}
