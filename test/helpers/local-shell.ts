import { spawn } from "node:child_process";
import type { Readable, Transform } from "node:stream";
import { paced } from "./net.js";
import type { RemoteShell } from "../../src/core/remote/shell.js";

/** Who the local shell's commands run as, and where their home is. */
export interface LocalLogin {
  user: string;
  /** Set when this process is root: the commands then run as that account, as sshd would run them. */
  uid?: number;
  gid?: number;
  home: string;
  /** How fast a streamed input (an upload) arrives, in bytes a second, as over a slow link; default at once. */
  inputBytesPerSecond?: number;
}

/** The environment sshd gives a command (UsePAM no): no variable of the test run leaks in. */
function loginEnv(login: LocalLogin): NodeJS.ProcessEnv {
  return {
    HOME: login.home,
    USER: login.user,
    LOGNAME: login.user,
    SHELL: "/bin/bash",
    PATH: "/usr/local/bin:/usr/bin:/bin:/usr/games",
  };
}

/**
 * The RemoteShell of a server that is this machine: each command in `bash -c` as sshd runs it (in the home folder,
 * a session of its own, the login's environment), the scripts byte for byte as the SSH shell sends them. What only
 * SSH has (a terminal, a dropped connection) is the real sshd's tier: `pty` is refused.
 */
export function localShell(login: LocalLogin): RemoteShell {
  return {
    exec: (command, options = {}) =>
      new Promise((resolve, reject) => {
        if (options.pty !== undefined) {
          reject(new Error("the local shell has no terminal: test a pty against the real sshd"));
          return;
        }
        const child = spawn("bash", ["-c", command], {
          cwd: login.home,
          env: loginEnv(login),
          detached: true,
          stdio: ["pipe", "pipe", "pipe"],
          ...(login.uid === undefined ? {} : { uid: login.uid, gid: login.gid }),
        });
        const out: Buffer[] = [];
        const err: Buffer[] = [];
        child.stdout.on("data", (chunk: Buffer) => {
          out.push(chunk);
          options.onStdout?.(chunk);
        });
        child.stderr.on("data", (chunk: Buffer) => {
          err.push(chunk);
          options.onStderr?.(chunk);
        });
        // A command that ends before reading all of its input: what is left is not ours to report.
        child.stdin.on("error", () => undefined);
        const { stdin } = options;
        const rate = login.inputBytesPerSecond;
        const input = typeof stdin === "object" && rate !== undefined ? stdin.pipe(paced(rate)) : stdin;
        if (typeof input === "string") child.stdin.end(input);
        else if (input !== undefined) input.pipe(child.stdin);
        else child.stdin.end();
        let heldOpen = false;
        let timer: NodeJS.Timeout | undefined;
        const grace = options.graceAfterExitMs;
        child.once("exit", () => {
          if (grace === undefined) return;
          timer = setTimeout(() => {
            heldOpen = true;
            child.stdout.destroy();
            child.stderr.destroy();
            finish(child.exitCode, child.signalCode);
          }, grace);
        });
        let done = false;
        const finish = (code: number | null, signal: NodeJS.Signals | null): void => {
          if (done) return;
          done = true;
          clearTimeout(timer);
          if (typeof input === "object") {
            input.unpipe(child.stdin);
            if (input !== stdin) (stdin as Readable).unpipe(input as Transform);
          }
          resolve({
            code,
            signal,
            stdout: Buffer.concat(out).toString("utf8"),
            stderr: Buffer.concat(err).toString("utf8"),
            ...(heldOpen ? { heldOpen } : {}),
          });
        };
        child.once("close", finish);
        child.once("error", reject);
      }),
  };
}
