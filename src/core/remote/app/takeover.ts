import { InputError } from "../../support/errors.js";
import type { RemoteShell } from "../shell.js";
import { type AppTarget, appStatus, type StartResult, startApp, stopApp } from "./app.js";

/** A shell on a connection of its own, closed by whoever asked for it. */
export interface OpenedShell {
  shell: RemoteShell;
  close(): void;
}

/** The managed app, stopped so that something else (a tunnel) can have its port for a while. */
export interface TakenOver {
  /** The pid of the instance stopped, when the pid file named one. */
  stopped?: number;
  /**
   * Starts the app again once its port is free, on a connection opened for it (the one held while the port was
   * borrowed may be gone by then), and closes that connection.
   */
  giveBack(open: () => Promise<OpenedShell>): Promise<StartResult>;
}

/**
 * Stops the app wxdev started on the server, for the life of whatever needs its port; undefined when none runs
 * (nothing to stop, nothing to start again). Refuses a server without a `start` command before anything is
 * stopped: nothing could start the app again.
 */
export async function takeOverApp(shell: RemoteShell, target: AppTarget): Promise<TakenOver | undefined> {
  const name = target.name ?? "the server";
  if (target.server.start === undefined)
    throw new InputError(`taking the app over needs the managed app: ${name} has no "start" command`, {
      hint: `without one, stop the app on ${name} yourself`,
      code: "NO_START_COMMAND",
    });
  const status = await appStatus(shell, target);
  if (!status.running) return undefined;
  const { stopped } = await stopApp(shell, target.server);
  return {
    ...(stopped === undefined ? {} : { stopped }),
    giveBack: async (open) => {
      const opened = await open();
      try {
        return await startApp(opened.shell, target);
      } finally {
        opened.close();
      }
    },
  };
}
