import { createHash } from "node:crypto";
import { CheckFailedError, InputError } from "../../support/errors.js";
import { checkToken } from "../../init/plan.js";
import { appWhere } from "./scripts.js";
import { remoteLayout } from "../layout.js";
import { q, type RemoteShell, run } from "../shell.js";
import { guardScript, refuseUnsafe } from "../state-guard.js";

// The app's env file (scripts.ts's ENV_FILE): every command wxdev runs on the server for the app (start,
// restart, a deploy's start, postDeploy, exec, ssh) exports it after ~/.bashrc. Values travel on stdin, never on a
// command line `ps` would show.

/** Shell expression of the env file of a server's app. */
const envFile = (remoteDir: string): string => appWhere({ remoteDir }).envFile;

/** Names the app's Token goes by: the generated app reads WECHAT_TOKEN, then WXDEV_TOKEN. */
export const TOKEN_NAMES: readonly string[] = ["WECHAT_TOKEN", "WXDEV_TOKEN"];

/** Names that change how every shell (or every program) runs, or that wxdev's own wrapper uses. */
const RESERVED = /^(PATH|HOME|SHELL|IFS|ENV|BASH_ENV|PS4|LD_\w*|__wxdev\w*|wx_\w*)$/;

/** Checks a variable name as the env file takes it. */
export function checkEnvName(name: string): string {
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name))
    throw new InputError(`${JSON.stringify(name)} is not a variable name`, {
      hint: "use letters, digits and _, not starting with a digit, e.g. WECHAT_TOKEN",
    });
  if (RESERVED.test(name))
    throw new InputError(`${name} is not for the env file`, {
      hint: "it changes how every command on the server runs; set it in ~/.bashrc if you must",
    });
  return name;
}

/** Checks a value: one line; a Token by the platform's rule. */
export function checkEnvValue(name: string, value: string): string {
  if (value === "") throw new InputError(`no value for ${name}`, { hint: "give one (it is never shown in full)" });
  if (/[\n\r\0]/.test(value))
    throw new InputError(`the value for ${name} has a line break`, { hint: "give it on one line" });
  return TOKEN_NAMES.includes(name) ? checkToken(value) : value;
}

const firstLine = (text: string): string => text.trim().split("\n")[0] ?? "";

/** Runs an env-file script (checking the state folder first); a refusal or failure is an error. */
async function envExec(shell: RemoteShell, remoteDir: string, script: string, stdin?: string): Promise<string> {
  const result = await shell.exec(script, stdin === undefined ? {} : { stdin });
  refuseUnsafe(result);
  if (result.code !== 0)
    throw new CheckFailedError(
      `reading or writing the app's env file failed on the server: ${firstLine(result.stderr) || "no message"}`,
      { hint: `check the state folder beside ${remoteDir} (its owner and disk space)` },
    );
  return result.stdout;
}

/**
 * Rewrites the env file without `name`, then (with `value` on stdin) with `name` set to the line read: a new file
 * made beside it (0600 under umask 077, created exclusively) and renamed over it, so a reader never sees half.
 */
function rewriteScript(remoteDir: string, name: string, set: boolean): string {
  const file = envFile(remoteDir);
  return `${guardScript(remoteLayout(remoteDir), { create: true })}
set -e
[ ! -L ${file} ] || wx_refuse "${file} is a symbolic link"
tmp=$(mktemp ${file}.XXXXXX)
trap 'rm -f -- "$tmp"' EXIT
if [ -f ${file} ]; then grep -v -e '^${name}=' -- ${file} > "$tmp" || [ $? -eq 1 ]; fi
${set ? `IFS= read -r value || [ -n "$value" ]\nprintf '%s=%s\\n' ${q(name)} "$value" >> "$tmp"` : ""}
chmod 600 "$tmp"
mv -f -- "$tmp" ${file}
trap - EXIT`;
}

/** Sets `name` in the app's env file on the server (the value goes on stdin). */
export async function setEnv(shell: RemoteShell, remoteDir: string, name: string, value: string): Promise<void> {
  checkEnvValue(checkEnvName(name), value);
  await envExec(shell, remoteDir, rewriteScript(remoteDir, name, true), `${value}\n`);
}

/** Removes `name` from the app's env file; resolves false when it was not there. */
export async function unsetEnv(shell: RemoteShell, remoteDir: string, name: string): Promise<boolean> {
  checkEnvName(name);
  const had = (await listEnv(shell, remoteDir)).some((entry) => entry.name === name);
  if (had) await envExec(shell, remoteDir, rewriteScript(remoteDir, name, false));
  return had;
}

/** One variable of the env file. */
export interface EnvEntry {
  name: string;
  value: string;
}

/** What the app's env file holds (for the caller to show masked). */
export async function listEnv(shell: RemoteShell, remoteDir: string): Promise<EnvEntry[]> {
  const file = envFile(remoteDir);
  const text = await envExec(
    shell,
    remoteDir,
    `${guardScript(remoteLayout(remoteDir), { create: false })}\n[ ! -f ${file} ] || cat -- ${file}`,
  );
  return text
    .split("\n")
    .filter((line) => /^[A-Za-z_][A-Za-z0-9_]*=/.test(line))
    .map((line) => ({ name: line.slice(0, line.indexOf("=")), value: line.slice(line.indexOf("=") + 1) }));
}

/** How the server's value of a variable compares with a local one, and where the server's comes from. */
export interface EnvComparison {
  verdict: "same" | "differs" | "unset";
  /** "file": wxdev's env file; "shell": ~/.bashrc or the login's environment (the env file does not set it). */
  from?: "file" | "shell";
}

/** Marks the comparison's line among whatever ~/.bashrc prints. */
const CHECK_MARK = "wxdev-env-check";

/**
 * Compares `name` as the app sees it on the server (in the shell start runs it in: ~/.bashrc, then the env file)
 * with `local`, by their sha256 on the server: the server's value never leaves it, and the local one goes as a
 * hash on stdin.
 */
export async function compareEnv(
  shell: RemoteShell,
  remoteDir: string,
  name: string,
  local: string,
): Promise<EnvComparison> {
  checkEnvName(name);
  const file = envFile(remoteDir);
  const command = `IFS= read -r want
from=shell; if grep -q -e '^${name}=' -- ${file} 2>/dev/null; then from=file; fi
if [ -z "\${${name}+x}" ]; then echo "${CHECK_MARK} unset $from"
elif [ "$(printf '%s' "$${name}" | sha256sum | cut -d' ' -f1)" = "$want" ]; then echo "${CHECK_MARK} same $from"
else echo "${CHECK_MARK} differs $from"; fi`;
  const hash = createHash("sha256").update(local).digest("hex");
  const result = await run(shell, command, { stdin: `${hash}\n`, envFile: file });
  const match = new RegExp(`^${CHECK_MARK} (same|differs|unset) (file|shell)$`, "m").exec(result.stdout);
  if (match === null)
    throw new CheckFailedError(`comparing ${name} failed on the server: ${result.stderr.trim() || "no answer"}`);
  const verdict = match[1] as EnvComparison["verdict"];
  return verdict === "unset" ? { verdict } : { verdict, from: match[2] as "file" | "shell" };
}
