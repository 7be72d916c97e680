import type { PtyRequest, RemoteShell, RunOptions, RunResult } from "../../core/remote/shell.js";
import type { Cli, Io } from "../context.js";

/** True when a person sits at both ends: keys come from a terminal and the output goes to one. */
export function onTerminal(io: Io): boolean {
  return io.stdin.isTTY === true && io.stdout.isTTY === true;
}

/**
 * Lends the local terminal to a remote program, as `ssh -t` does: keys go over raw (Ctrl-C and Ctrl-D are the
 * remote program's), the remote pseudo-terminal gets this window's type and size and follows its changes.
 * `release` gives the terminal back.
 */
export function lendTerminal(io: Io): { pty: PtyRequest; release(): void } {
  const { stdin, stdout } = io;
  const size = (): [number, number] => [stdout.rows ?? 24, stdout.columns ?? 80];
  const [rows, cols] = size();
  stdin.setRawMode?.(true);
  return {
    pty: {
      term: io.env.TERM || "xterm",
      rows,
      cols,
      watchSize: (resize) => {
        const listener = (): void => resize(...size());
        stdout.on("resize", listener);
        return () => void stdout.off("resize", listener);
      },
    },
    release: () => {
      stdin.setRawMode?.(false);
      stdin.pause();
    },
  };
}

/** Runs the line on a pseudo-terminal lent from this one: its output (stderr too) straight to stdout. */
export async function runOnTerminal(
  cli: Cli,
  shell: RemoteShell,
  line: string,
  where: Pick<RunOptions, "cwd" | "venv" | "envFile" | "lenient">,
): Promise<RunResult> {
  const { runChecked } = await import("../../core/remote/shell.js");
  const terminal = lendTerminal(cli.io);
  try {
    return await runChecked(shell, line, {
      ...where,
      pty: terminal.pty,
      stdin: cli.io.stdin,
      onStdout: (chunk) => void cli.io.stdout.write(chunk),
    });
  } finally {
    terminal.release();
  }
}
