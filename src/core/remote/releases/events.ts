import type { AppCheck } from "./gate.js";

/** What a release's steps report as they go; "switching" comes just before the live link moves. */
export type ReleaseEvent =
  | { type: "upload"; files: number; totalFiles: number; bytes: number; totalBytes: number }
  | { type: "switching"; release: string }
  | { type: "switched"; release: string }
  /** The release brought up serves (its handshake passed, or its port opened without a check). */
  | { type: "serving" }
  | { type: "output"; stream: "stdout" | "stderr"; chunk: Buffer }
  /** Something the deploy worked around but the user should know (e.g. an unusable manifest on the server). */
  | { type: "warning"; message: string };

/** How a deploy or rollback brings the managed app up after the switch. */
export interface AppOptions {
  port?: number;
  check?: AppCheck;
  /** false: deploy the files only, leave the app as it runs. */
  start?: boolean;
  /** false (--no-rollback): a release that does not come up stays live. */
  rollback?: boolean;
  waitMs?: number;
}

/** Passes the post command's output on as "output" events. */
export function output(onEvent?: (event: ReleaseEvent) => void): (stream: "stdout" | "stderr", chunk: Buffer) => void {
  return (stream, chunk) => onEvent?.({ type: "output", stream, chunk });
}

/** What bringUp and gate take from a deploy's options; the start's stderr is streamed as output. */
export function appOptions(options: { app?: AppOptions; onEvent?: (event: ReleaseEvent) => void }) {
  const { port, check, waitMs } = options.app ?? {};
  return {
    ...(port === undefined ? {} : { port }),
    ...(check === undefined ? {} : { check }),
    ...(waitMs === undefined ? {} : { waitMs }),
    onStderr: (chunk: Buffer) => options.onEvent?.({ type: "output", stream: "stderr", chunk }),
    onServing: () => options.onEvent?.({ type: "serving" }),
  };
}
