// A throwaway OpenSSH sshd on loopback for the deploy bench (key login only; needs root).
import { execFileSync, spawn, spawnSync } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./harness.js";

export const USER = "wxdevbench";

export function sshdMissing() {
  if (!existsSync("/usr/sbin/sshd")) return "sshd not found (apt-get install openssh-server)";
  if (process.getuid?.() !== 0) return "not root (the bench creates a user)";
  if (spawnSync("rsync", ["--version"]).status !== 0) return "rsync not found (apt-get install rsync)";
  return undefined;
}

export async function startSshd() {
  const dir = mkdtempSync(join(tmpdir(), "wxdev-bench-sshd-"));
  chmodSync(dir, 0o755);
  const port = await freePort();
  if (spawnSync("id", [USER]).status !== 0) execFileSync("useradd", ["-m", "-s", "/bin/bash", USER]);
  // Without PAM, sshd refuses even key logins to a locked ("!") account: "*" means no password, not locked.
  execFileSync("usermod", ["-p", "*", USER]);
  for (const name of ["host_key", "client_key"])
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, name)]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")), { mode: 0o644 });
  writeFileSync(join(dir, "known_hosts"), `[127.0.0.1]:${port} ${readFileSync(join(dir, "host_key.pub"), "utf8")}`);
  mkdirSync("/run/sshd", { recursive: true });
  writeFileSync(
    join(dir, "sshd_config"),
    [
      `Port ${port}`,
      "ListenAddress 127.0.0.1",
      `HostKey ${join(dir, "host_key")}`,
      `PidFile ${join(dir, "pid")}`,
      `AuthorizedKeysFile ${join(dir, "authorized_keys")}`,
      "PasswordAuthentication no",
      "UsePAM no",
      "StrictModes no",
      `AllowUsers ${USER}`,
      "Subsystem sftp internal-sftp",
      "LogLevel ERROR",
      "",
    ].join("\n"),
  );
  const child = spawn("/usr/sbin/sshd", ["-D", "-e", "-f", join(dir, "sshd_config")], { stdio: "ignore" });
  for (let i = 0; i < 100 && spawnSync("bash", ["-c", `exec 3<>/dev/tcp/127.0.0.1/${port}`]).status !== 0; i++)
    await new Promise((r) => setTimeout(r, 50));
  const ssh =
    `ssh -p ${port} -i ${join(dir, "client_key")} -o UserKnownHostsFile=` +
    `${join(dir, "known_hosts")} -o StrictHostKeyChecking=yes -o BatchMode=yes`;
  return {
    dir,
    port,
    key: join(dir, "client_key"),
    knownHosts: join(dir, "known_hosts"),
    ssh,
    stop: () => child.kill(),
  };
}
