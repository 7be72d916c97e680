import { CheckFailedError } from "../../support/errors.js";
import { type AppTarget, appStatus, stopByPid } from "../app/app.js";
import { appPaths } from "../app/scripts.js";
import { remoteLayout, tunnelMarker } from "../layout.js";
import { q, type RemoteShell } from "../shell.js";
import { guardScript } from "../state-guard.js";

/**
 * Who holds the app's port on the server when the forward is refused: the managed app, a wxdev tunnel, another
 * process of this account, a process of another account, or no one (forwarding forbidden).
 */
export type PortHolder = "app" | "tunnel" | "other" | "account" | "none";

/** The forward was refused: the port is taken (by the managed app, another tunnel, something else) or forbidden. */
export class TunnelRefusedError extends CheckFailedError {
  constructor(
    message: string,
    hint: string,
    readonly holder: PortHolder,
    /** The sshd session process holding the port, when the holder is a tunnel. */
    readonly pid?: number,
  ) {
    super(message, { hint, code: "TUNNEL_REFUSED" });
  }
}

/** Shell expression of the marker naming the sshd process that holds a tunnel's port (in the app's state folder). */
function markerPath(target: AppTarget, port: number): string {
  return `${appPaths(target.server.remoteDir).dir}/${tunnelMarker(port)}`;
}

/**
 * Records, on the server, which sshd session process holds the forward: $PPID of a command is the session's
 * process, so a second tunnel can be told from the app, and the session found. Plain POSIX sh (the login shell
 * runs it). Returns that process's pid.
 */
export async function markTunnel(shell: RemoteShell, target: AppTarget, port: number): Promise<number> {
  const marker = markerPath(target, port);
  const guard = guardScript(remoteLayout(target.server.remoteDir), { create: true });
  const result = await shell.exec(`${guard}\necho "$PPID" > ${marker} && echo "$PPID"`);
  if (result.code !== 0)
    throw new CheckFailedError(
      `writing the tunnel's marker failed on the server: ${result.stderr.trim() || `exit ${result.code}`}`,
      { hint: 'check "remoteDir" in the server config: wxdev keeps the app\'s state in a folder there' },
    );
  return Number(result.stdout.trim().split("\n").at(-1));
}

/**
 * Ends this tunnel's own earlier sshd session, still holding the port after the connection dropped (a server
 * that keeps a dead session for hours would hold it that long), so the new connection takes the port at once.
 * Only that process, named by pid from this tunnel's own marker, and only when it is an sshd of this account.
 */
export async function endStaleSession(shell: RemoteShell, pid: number): Promise<void> {
  if (!Number.isSafeInteger(pid) || pid <= 1) return;
  const mine = `[ "$(ps -o uid= -p ${pid} | tr -d ' ')" = "$(id -u)" ] && ps -o comm= -p ${pid} | grep -q '^sshd'`;
  await shell.exec(`if ${mine}; then kill -KILL ${pid}; fi`);
}

/** Removes the marker (the tunnel's port is released). */
export async function unmarkTunnel(shell: RemoteShell, target: AppTarget, port: number): Promise<void> {
  await shell.exec(`rm -f -- ${markerPath(target, port)}`);
}

/**
 * "tunnel PID SINCE" when the marker names a live sshd process (not a zombie: a container's init may never reap
 * a killed session), else "listening UID NAME OWN-UID" (the socket's owner, from /proc/net/tcp, which every
 * account may read; "listening" alone where there is none) or "free" for the port.
 */
function holderScript(target: AppTarget, port: number): string {
  const hex = port.toString(16).toUpperCase().padStart(4, "0");
  const owner = `awk '$4 == "0A" && substr($2, length($2) - 4) == ":${hex}" { print $8; exit }'`;
  return `f=${markerPath(target, port)}; pid=$(cat "$f" 2>/dev/null || true)
if [ -n "$pid" ] && ps -o stat=,comm= -p "$pid" 2>/dev/null | grep -Eq '^[^Z][^ ]* +sshd'; then
  echo "tunnel $pid $(stat -c %Y -- "$f")"
elif (exec 3<>"/dev/tcp/127.0.0.1/${port}") 2>/dev/null; then
  uid=$(${owner} /proc/net/tcp /proc/net/tcp6 2>/dev/null || true)
  if [ -n "$uid" ]; then echo "listening $uid $(getent passwd "$uid" | cut -d: -f1) $(id -u)"; else echo listening; fi
else echo free; fi`;
}

/** Why the server refused to listen on `port`, as one error naming the holder and the fix. */
export async function explainRefusal(
  shell: RemoteShell,
  target: AppTarget,
  port: number,
  name: string,
): Promise<TunnelRefusedError> {
  const app = await appStatus(shell, { ...target, port });
  if (app.running && app.listening === true)
    return new TunnelRefusedError(
      `port ${port} on ${name} is taken by the app wxdev started there (pid ${app.pid})`,
      `stop it with wxdev stop ${name}, or run wxdev tunnel ${name} --takeover` +
        " (stops it while the tunnel runs and starts it again after)",
      "app",
    );
  const found = await shell.exec(`bash -c ${q(holderScript(target, port))}`);
  if (found.code !== 0)
    throw new CheckFailedError(
      `port ${port} on ${name} is refused, and finding who holds it failed: ${found.stderr.trim() || "no message"}`,
    );
  const [holder, pid, since] = found.stdout.trim().split(" ");
  if (holder === "tunnel") {
    const when = new Date(Number(since) * 1000).toTimeString().slice(0, 5);
    return new TunnelRefusedError(
      `port ${port} on ${name} is already forwarded by another wxdev tunnel (since ${when}, sshd pid ${pid})`,
      "stop that tunnel first (Ctrl-C where it runs); only one laptop at a time can receive the account's messages",
      "tunnel",
      Number(pid),
    );
  }
  const [, uid, account, ownUid] = found.stdout.trim().split(" ");
  if (holder === "listening" && uid !== undefined && ownUid !== undefined && uid !== ownUid)
    return new TunnelRefusedError(
      `port ${port} on ${name} is held by a process of another account (${account || "unknown"}, uid ${uid}):` +
        " what nginx forwards to that port, your users' messages included, goes to it",
      "tell the server's admin at once; wxdev does not retry while another account holds your port",
      "account",
    );
  if (holder === "listening")
    return new TunnelRefusedError(
      `port ${port} on ${name} is taken by a process wxdev did not start`,
      `${stopByPid(name, port)}, then run the tunnel again`,
      "other",
    );
  return new TunnelRefusedError(
    `the SSH server ${name} refused to listen on 127.0.0.1:${port} for the tunnel`,
    "its sshd may forbid forwarding (AllowTcpForwarding no in sshd_config): ask the server's admin",
    "none",
  );
}
