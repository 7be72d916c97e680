import { Readable, Writable } from "node:stream";
import { main } from "../../src/cli/index.js";
import { type CliResult, cleanEnv, type RunOptions } from "./cli.js";

/** A stream that keeps what is written to it, as text. */
class Collected extends Writable {
  text = "";
  constructor(private readonly onText?: (text: string) => void) {
    super();
  }
  override _write(chunk: Buffer | string, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.text += chunk.toString();
    this.onText?.(this.text);
    done();
  }
}

/** runMain's options: runCli's, and what was printed so far, told on each write (a command still running). */
export interface MainOptions extends RunOptions {
  onStdout?: (sofar: string) => void;
}

/**
 * Runs `wxdev ...args` in this process through `main(argv, io)`, from the sources: argv → outcome
 * without a build or a spawn. The environment is the same clean one `runCli` gives a child.
 */
export async function runMain(args: string[], options: MainOptions = {}): Promise<CliResult> {
  const stdout = new Collected(options.onStdout);
  const stderr = new Collected();
  const io = {
    stdout,
    stderr,
    stdin: Readable.from(options.input === undefined || options.input === "" ? [] : [Buffer.from(options.input)]),
    env: cleanEnv(options.env),
    cwd: options.cwd ?? process.cwd(),
  };
  const limit = options.timeoutMs ?? 20_000;
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`wxdev ${args.join(" ")} did not finish in ${limit} ms`)), limit);
  });
  try {
    const code = await Promise.race([main(args, io), timeout]);
    return { code, stdout: stdout.text, stderr: stderr.text };
  } finally {
    clearTimeout(timer);
  }
}
