import { execFileSync, spawn, type ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./net.js";
import { skipReason } from "./skips.js";

export const SSHD = ["/usr/sbin/sshd", "/usr/bin/sshd"].find((path) => existsSync(path));
/** The account the tests log in as; WXDEV_TEST_USER lets two checkouts test side by side without sharing one. */
export const TEST_USER = process.env.WXDEV_TEST_USER ?? "wxdevtest";

/**
 * Why the SSH tests cannot run here (undefined when they can), recorded for the run's summary. In CI this is a
 * failure, not a skip.
 */
export function sshdMissing(): string | undefined {
  const reason =
    SSHD === undefined
      ? "sshd not found (apt-get install openssh-server)"
      : process.getuid?.() !== 0
        ? "not root: the real-sshd tests add a Unix account (WXDEV_TEST_USER) to log in as (run npm test as root)"
        : undefined;
  if (reason !== undefined && process.env.CI) throw new Error(`SSH tests cannot run in CI: ${reason}`);
  return skipReason(reason);
}

export interface TestSshd {
  host: string;
  port: number;
  user: string;
  password: string;
  home: string;
  dir: string;
  clientKey: string;
  hostPublicKey: string;
  /** The RSA host key, when started with `rsaHostKey` (the server then has both). */
  rsaHostPublicKey?: string;
  /** Runs a command on the server as the test user (through su, not SSH). */
  run(command: string): string;
  /** A second account on the same server (with `classmate`), allowed to log in too: the hostile classmate. */
  classmate?: Account;
  stop(): Promise<void>;
}

/** A Unix account on the test server. */
export interface Account {
  user: string;
  uid: number;
  home: string;
  /** Runs a command as this account (through su, not SSH). */
  run(command: string): string;
}

/** Runs `command` as `user` through su. */
const runAs =
  (user: string) =>
  (command: string): string =>
    execFileSync("su", ["-s", "/bin/bash", "-c", command, user], { encoding: "utf8" });

/** The classroom's ~/.bashrc: a virtualenv-style `workon` function, defined for login shells too. */
const BASHRC = `workon() { export VIRTUAL_ENV="$HOME/.virtualenvs/$1"; echo "(workon $1)"; }\n`;

/**
 * A student's ~/.bashrc on a stock Debian account: /etc/skel's, with its "If not running interactively, don't do
 * anything" guard at the top, and virtualenvwrapper loaded at the END, below that guard, as the class sets it up.
 */
function stockBashrc(): string {
  return `${readFileSync("/etc/skel/.bashrc", "utf8")}\nsource /usr/share/virtualenvwrapper/virtualenvwrapper.sh\n`;
}

/**
 * The account's password for this machine: one per account, kept in a root-only file, so that test files starting
 * sshds in parallel for the same account all set the same one (a fresh one each would log the others out).
 */
function passwordOf(user: string): string {
  const dir = "/tmp/wxdev-test-passwords";
  const make = `umask 077; mkdir -p ${dir}; f=${dir}/${user}
[ -s "$f" ] || head -c 12 /dev/urandom | base64 | tr -d '/+=\n' > "$f"; cat "$f"`;
  return execFileSync("flock", ["/tmp/wxdev-test-accounts.lock", "bash", "-ec", make], { encoding: "utf8" }).trim();
}

/** Writes a file whole (by rename): a login in another test file never reads it half written. */
function writeWhole(path: string, text: string): void {
  const temporary = `${path}.${process.pid}.${randomBytes(4).toString("hex")}`;
  writeFileSync(temporary, text);
  renameSync(temporary, path);
}

function ensureUser(user: string, stock: boolean, umask?: string): { home: string; password: string } {
  // Test files run in parallel, and a machine may keep an account from an older run without its home (or shell).
  const make = `id ${user} >/dev/null 2>&1 || useradd -m -s /bin/bash ${user}; usermod -s /bin/bash ${user}
home=$(getent passwd ${user} | cut -d: -f6); [ -d "$home" ] || { mkdir -p "$home"; chown ${user}: "$home"; }`;
  execFileSync("flock", ["/tmp/wxdev-test-accounts.lock", "bash", "-ec", make]);
  const password = passwordOf(user);
  execFileSync("chpasswd", { input: `${user}:${password}\n` });
  const home = execFileSync("bash", ["-c", `getent passwd ${user} | cut -d: -f6`], { encoding: "utf8" }).trim();
  const first = umask === undefined ? "" : `umask ${umask}\n`;
  writeWhole(join(home, ".bashrc"), first + (stock ? stockBashrc() : BASHRC));
  writeWhole(
    join(home, ".profile"),
    stock ? readFileSync("/etc/skel/.profile", "utf8") : '[ -f "$HOME/.bashrc" ] && . "$HOME/.bashrc"\n',
  );
  execFileSync("chown", [`${user}:`, join(home, ".bashrc"), join(home, ".profile")]);
  return { home, password };
}

function account(user: string): Account {
  const fields = execFileSync("getent", ["passwd", user], { encoding: "utf8" }).trim().split(":");
  return { user, uid: Number(fields[2]), home: fields[5] ?? "", run: runAs(user) };
}

function waitForPort(port: number, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  return new Promise((resolve, reject) => {
    const attempt = (): void => {
      const socket = connect(port, "127.0.0.1");
      socket.once("data", () => {
        socket.destroy();
        resolve();
      });
      socket.once("error", () => {
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd did not listen on ${port}`));
        else setTimeout(attempt, 50);
      });
    };
    attempt();
  });
}

/** The options of startSshd. */
export interface SshdOptions {
  rsaHostKey?: boolean;
  stockBashrc?: boolean;
  /** The account's name after WXDEV_TEST_USER (default "s" with stockBashrc, else none). */
  account?: string;
  /** Also make the account WXDEV_TEST_USER + "c", a classmate on the same server. */
  classmate?: boolean;
  /** The umask the account's ~/.bashrc sets first (bash reads it for every SSH command, as on Debian). */
  umask?: string;
}

/**
 * A real OpenSSH sshd on a free loopback port, with its own host key (ed25519; `rsaHostKey`: an RSA
 * one too), key and password login. `stockBashrc`: the account (WXDEV_TEST_USER + "s") gets a stock Debian
 * ~/.bashrc and ~/.profile, virtualenvwrapper sourced at the end of ~/.bashrc.
 */
export async function startSshd(options: SshdOptions = {}): Promise<TestSshd> {
  const dir = mkdtempSync(join(tmpdir(), "wxdev-sshd-"));
  const port = await freePort();
  // The stock ~/.bashrc goes to an account of its own: test files run in parallel, and the others expect theirs.
  const user = `${TEST_USER}${options.account ?? (options.stockBashrc ? "s" : "")}`;
  const { home, password } = ensureUser(user, options.stockBashrc === true, options.umask);
  const classmate = options.classmate ? `${TEST_USER}c` : undefined;
  if (classmate !== undefined) ensureUser(classmate, true);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "host_key")]);
  execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", join(dir, "client_key")]);
  if (options.rsaHostKey)
    execFileSync("ssh-keygen", ["-q", "-t", "rsa", "-b", "2048", "-N", "", "-f", join(dir, "host_key_rsa")]);
  writeFileSync(join(dir, "authorized_keys"), readFileSync(join(dir, "client_key.pub")));
  // sshd reads authorized_keys as the user it logs in.
  chmodSync(dir, 0o755);
  chmodSync(join(dir, "authorized_keys"), 0o644);
  mkdirSync("/run/sshd", { recursive: true });
  writeFileSync(
    join(dir, "sshd_config"),
    `Port ${port}
ListenAddress 127.0.0.1
HostKey ${join(dir, "host_key")}
${options.rsaHostKey ? `HostKey ${join(dir, "host_key_rsa")}\n` : ""}PidFile ${join(dir, "sshd.pid")}
AuthorizedKeysFile ${join(dir, "authorized_keys")}
PasswordAuthentication yes
KbdInteractiveAuthentication no
UsePAM no
StrictModes no
PermitRootLogin no
AllowUsers ${user}${classmate === undefined ? "" : ` ${classmate}`}
Subsystem sftp internal-sftp
LogLevel ERROR
`,
  );
  const child: ChildProcess = spawn(SSHD!, ["-D", "-e", "-f", join(dir, "sshd_config")], {
    stdio: ["ignore", "ignore", "pipe"],
  });
  let log = "";
  child.stderr!.on("data", (chunk: Buffer) => (log += chunk.toString()));
  await waitForPort(port).catch((error: Error) => {
    child.kill();
    throw new Error(`${error.message}: ${log}`);
  });
  return {
    host: "127.0.0.1",
    port,
    user,
    password,
    home,
    dir,
    clientKey: join(dir, "client_key"),
    hostPublicKey: readFileSync(join(dir, "host_key.pub"), "utf8").trim(),
    ...(options.rsaHostKey ? { rsaHostPublicKey: readFileSync(join(dir, "host_key_rsa.pub"), "utf8").trim() } : {}),
    run: runAs(user),
    ...(classmate === undefined ? {} : { classmate: account(classmate) }),
    stop: async () => {
      await new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once("exit", () => resolve());
        child.kill();
      });
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A wxdev.config.json server entry for this sshd (key login), its remoteDir `~/<remote>`, plus any extra keys. */
export function serverEntry(
  sshd: TestSshd,
  remote: string,
  extra: Record<string, unknown> = {},
): Record<string, unknown> & { remoteDir: string } {
  return {
    host: sshd.host,
    port: sshd.port,
    username: sshd.user,
    remoteDir: `~/${remote}`,
    privateKey: sshd.clientKey,
    ...extra,
  };
}
