import { execFileSync, spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { skipReason } from "./skips.js";

/** Why the terminal tests cannot run here, or undefined when tmux is installed (recorded for the run's summary). */
export function tmuxMissing(): string | undefined {
  return skipReason(spawnSync("tmux", ["-V"]).status === 0 ? undefined : "tmux not found (apt-get install tmux)");
}

/** A real terminal: a tmux server on a socket of its own that runs the CLI and takes keystrokes. */
export interface Terminal {
  tmux(...args: string[]): string;
  /** What the pane shows now (wrapped lines joined). */
  screen(session: string): string;
  /** Waits until the pane shows `pattern`; the error shows the screen. */
  waitFor(session: string, pattern: RegExp, timeoutMs?: number): Promise<string>;
  /** Stops the tmux server and every session in it. */
  kill(): void;
}

/** Starts nothing yet: the first `tmux("new-session", …)` starts the server on its own socket. */
export function terminal(prefix: string): Terminal {
  const socket = `${prefix}-${randomBytes(4).toString("hex")}`;
  const tmux = (...args: string[]): string => execFileSync("tmux", ["-L", socket, ...args], { encoding: "utf8" });
  const screen = (session: string): string => tmux("capture-pane", "-p", "-J", "-t", session);
  return {
    tmux,
    screen,
    async waitFor(session, pattern, timeoutMs = 15_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const text = screen(session);
        if (pattern.test(text)) return text;
        if (Date.now() > deadline) throw new Error(`timed out waiting for ${pattern}; the screen:\n${text}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    kill: () => void spawnSync("tmux", ["-L", socket, "kill-server"]),
  };
}
