import type { Readable } from "node:stream";
import { ConnectionLostError, type RemoteShell } from "../shell.js";

type NodeSsh = InstanceType<typeof import("node-ssh").NodeSSH>;

/** What the shell uses of an ssh2 channel (ssh2 ships no types of its own). */
interface Channel {
  once(event: string, listener: () => void): unknown;
  close(): unknown;
  setWindow(rows: number, cols: number, height: number, width: number): unknown;
}

/**
 * sshd reports the exit at once but closes the channel only when the command's stdout and stderr close: a
 * background child that inherited them keeps it open for as long as it runs. Closes it `grace` ms after the exit.
 */
function closeAfterExit(channel: Channel, grace: number, onHeldOpen: () => void): void {
  let timer: NodeJS.Timeout | undefined;
  channel.once("exit", () => {
    timer = setTimeout(() => {
      onHeldOpen();
      channel.close();
    }, grace);
  });
  channel.once("close", () => clearTimeout(timer));
}

/** The RemoteShell over node-ssh: a dropped connection is a ConnectionLostError, never a hang or a crash. */
export function sshShell(ssh: NodeSsh, name: string): RemoteShell {
  // Without a listener, a reset connection is an uncaught 'error' event that kills the process with a stack.
  let lost = false;
  const markLost = (): void => {
    lost = true;
  };
  ssh.connection?.on("error", markLost);
  ssh.connection?.on("close", markLost);
  const lostError = (cause?: unknown): ConnectionLostError =>
    new ConnectionLostError(`connection to ${name} lost`, { cause });
  return {
    exec: async (command, execOptions = {}) => {
      if (lost) throw lostError();
      const { stdin, pty, graceAfterExitMs } = execOptions;
      let result: Awaited<ReturnType<NodeSsh["execCommand"]>>;
      let heldOpen = false;
      let channel: Channel | undefined;
      let stopWatching: (() => void) | undefined;
      const onChannel = (opened: Channel): void => {
        channel = opened;
        if (graceAfterExitMs !== undefined) closeAfterExit(opened, graceAfterExitMs, () => (heldOpen = true));
        stopWatching = pty?.watchSize?.((rows, cols) => opened.setWindow(rows, cols, 0, 0));
      };
      try {
        result = await ssh.execCommand(command, {
          stdin,
          onStdout: execOptions.onStdout,
          onStderr: execOptions.onStderr,
          noTrim: true,
          onChannel: onChannel as never,
          ...(pty === undefined ? {} : { execOptions: { pty: { term: pty.term, rows: pty.rows, cols: pty.cols } } }),
        });
      } catch (error) {
        if (lost) throw lostError(error);
        throw error;
      } finally {
        stopWatching?.();
        // node-ssh pipes a stream in and leaves it piped: what is typed after the command ended stays ours.
        if (typeof stdin === "object" && channel !== undefined) (stdin as Readable).unpipe(channel as never);
      }
      if (heldOpen)
        return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr, heldOpen };
      // sshd always reports how a command ended; a channel closed with neither status nor signal was cut off.
      if (lost || (result.code === null && result.signal === null)) throw lostError();
      return { code: result.code, signal: result.signal, stdout: result.stdout, stderr: result.stderr };
    },
  };
}
