import type { Io } from "./context.js";

/** Asks a question on the terminal; `hidden` echoes nothing (passwords). Only call when stdin is a TTY. */
export async function ask(io: Io, question: string, hidden = false): Promise<string> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  if (hidden) {
    // Print the question ourselves, then swallow readline's echo of what is typed.
    io.stderr.write(question);
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
  }
  const answer = await new Promise<string>((resolve) => rl.question(hidden ? "" : question, resolve));
  rl.close();
  if (hidden) io.stderr.write("\n");
  return answer;
}
