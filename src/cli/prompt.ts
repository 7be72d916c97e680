import { Writable } from "node:stream";
import type { Io } from "./context.js";

/**
 * Asks a question on the terminal; `hidden` echoes nothing (passwords). Resolves undefined at once when the input
 * ends (Ctrl-D), so a caller never waits on a question nobody can answer. Only call when stdin is a TTY.
 */
export async function ask(io: Io, question: string, hidden = false): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  // Hidden: readline talks to a sink (its echo, and its redraws that would erase the question, go nowhere).
  const output = hidden ? new Writable({ write: (_chunk, _encoding, done) => done() }) : io.stderr;
  // The terminal goes raw (no echo) before the question shows: keys typed the moment it appears stay hidden.
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  if (hidden) io.stderr.write(question);
  const answer = await new Promise<string | undefined>((resolve) => {
    rl.once("close", () => resolve(undefined));
    rl.question(hidden ? "" : question, resolve);
  });
  rl.close();
  if (hidden || answer === undefined) io.stderr.write("\n");
  return answer;
}
