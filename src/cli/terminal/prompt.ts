import { type Readable, Writable } from "node:stream";

/**
 * Asks a question on the terminal; `hidden` echoes nothing (passwords). Resolves undefined at once when the input
 * ends (Ctrl-D), so a caller never waits on a question nobody can answer; Ctrl-C is Ctrl-C, as at any other moment.
 * Only call when stdin is a TTY.
 */
export async function ask(
  io: { stdin: Readable; stderr: Writable },
  question: string,
  hidden = false,
): Promise<string | undefined> {
  const { createInterface } = await import("node:readline");
  // Hidden: readline talks to a sink (its echo, and its redraws that would erase the question, go nowhere).
  const output = hidden ? new Writable({ write: (_chunk, _encoding, done) => done() }) : io.stderr;
  // The terminal goes raw (no echo) before the question shows: keys typed the moment it appears stay hidden.
  const rl = createInterface({ input: io.stdin, output, terminal: true });
  if (hidden) io.stderr.write(question);
  let interrupted = false;
  const answer = await new Promise<string | undefined>((resolve) => {
    rl.once("close", () => resolve(undefined));
    // Raw mode turns Ctrl-C into a key readline swallows; stop the question, then raise it as the signal it is.
    rl.once("SIGINT", () => {
      interrupted = true;
      rl.close();
    });
    rl.question(hidden ? "" : question, resolve);
  });
  rl.close();
  if (hidden || answer === undefined) io.stderr.write("\n");
  // A command's own Ctrl-C handler (a deploy's) runs now, before this answer could be taken for "none given";
  // without one, the process ends as Ctrl-C ends it anywhere (130).
  if (interrupted && process.listenerCount("SIGINT") > 0) process.emit("SIGINT", "SIGINT");
  else if (interrupted) process.kill(process.pid, "SIGINT");
  return answer;
}
