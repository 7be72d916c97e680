import { spawn, type ChildProcess } from "node:child_process";
import { BIN, cleanEnv } from "./cli.js";

/** A long-running wxdev command (serve, mock) as a real process. */
export interface RunningCommand {
  child: ChildProcess;
  output(): string;
  stop(): Promise<number | null>;
}

/** Spawns `wxdev ...args` and resolves once its output matches `ready`. */
export async function startCommand(
  args: string[],
  env: Record<string, string | undefined>,
  ready: RegExp,
): Promise<RunningCommand> {
  const child = spawn(process.execPath, [BIN, ...args], { env: cleanEnv(env), stdio: ["ignore", "pipe", "pipe"] });
  let output = "";
  child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`wxdev ${args[0]} did not start: ${output}`)), 10_000);
    const poll = setInterval(() => {
      if (ready.test(output)) {
        clearInterval(poll);
        clearTimeout(timer);
        resolve();
      }
    }, 20);
    child.once("exit", (code) => {
      clearInterval(poll);
      clearTimeout(timer);
      reject(new Error(`wxdev ${args[0]} exited with ${code}: ${output}`));
    });
  });
  return {
    child,
    output: () => output,
    stop: () =>
      new Promise((done) => {
        if (child.exitCode !== null) return done(child.exitCode);
        child.once("exit", (code) => done(code));
        child.kill("SIGTERM");
      }),
  };
}

/** The origin a server command printed on its first line (`… on http://host:port…`, or `"listening":"…"` in --json). */
export function printedOrigin(output: string): string {
  const url = /(?:\bon |"listening":")(http:\/\/[^\s"/]+)/.exec(output)?.[1];
  if (url === undefined) throw new Error(`no address in the output: ${output}`);
  return url;
}

/** `wxdev mock` as a real process on a port the system picks; resolves with its origin once it listens. */
export async function startMock(
  args: string[],
  env: Record<string, string | undefined>,
): Promise<RunningCommand & { origin: string }> {
  const running = await startCommand(["mock", "--port", "0", ...args], env, /Try:/);
  return { ...running, origin: printedOrigin(running.output()) };
}
