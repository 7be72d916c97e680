import type { Io } from "./context.js";

/**
 * Asks a question on the terminal; `hidden` echoes nothing (passwords). Resolves undefined at once when the input
 * ends (Ctrl-D), so a caller never waits on a question nobody can answer. Only call when stdin is a TTY.
 */
export async function ask(io: Io, question: string, hidden = false): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  const rl = createInterface({ input: io.stdin, output: io.stderr, terminal: true });
  if (hidden) {
    // Print the question ourselves, then swallow readline's echo of what is typed.
    io.stderr.write(question);
    (rl as unknown as { _writeToOutput: (text: string) => void })._writeToOutput = () => undefined;
  }
  const answer = await new Promise<string | undefined>((resolve) => {
    rl.once("close", () => resolve(undefined));
    rl.question(hidden ? "" : question, resolve);
  });
  rl.close();
  if (hidden || answer === undefined) io.stderr.write("\n");
  return answer;
}
