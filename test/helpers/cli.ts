import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The built executable the CLI tests spawn. */
export const BIN = fileURLToPath(new URL("../../bin/wxdev.cjs", import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string | undefined>;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * What a child does not inherit besides WXDEV_* settings: colour forcing, the developer's SSH agent, and extra CA
 * certificates (the wxdev under test talks to loopback servers only, and node parses every certificate in that file
 * as it starts: a CI image may point it at the whole system bundle).
 */
const LEFT_OUT = new Set(["FORCE_COLOR", "SSH_AUTH_SOCK", "NODE_EXTRA_CA_CERTS"]);

/** A clean environment: nothing of the developer's shell that changes what wxdev does, or costs it at start. */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [key, value] of Object.entries(process.env)) {
    if (!key.startsWith("WXDEV_") && !LEFT_OUT.has(key)) env[key] = value;
  }
  env.NO_COLOR = "1";
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Spawns `node bin/wxdev.cjs ...args` and collects its output and exit code. */
export function runCli(args: string[], options: RunOptions = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      cwd: options.cwd ?? process.cwd(),
      env: cleanEnv(options.env),
      stdio: ["pipe", "pipe", "pipe"],
    });
    let stdout = "";
    let stderr = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill("SIGKILL"), options.timeoutMs ?? 20_000);
    child.on("error", reject);
    child.on("close", (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    // A command that exits before it reads its input (bad usage): the test judges its output, not a write error.
    child.stdin.on("error", () => undefined);
    child.stdin.end(options.input ?? "");
  });
}
