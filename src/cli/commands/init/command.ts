import { Command, Option } from "commander";
import { existsSync } from "node:fs";
import { join, resolve } from "node:path";
import { CONFIG_FILE_NAME, loadConfig, type WxdevConfig } from "../../../core/config/file.js";
import { mask } from "../../../core/support/redact.js";
import { ConfigError, InputError } from "../../../core/support/errors.js";
import type { ProjectPlan } from "../../../core/init/plan.js";
import type { Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import { portParser } from "../../options.js";
import type { Output } from "../../output.js";
import { ask } from "../../terminal/prompt.js";

interface InitOptions {
  account?: string;
  host?: string;
  /** The SSH port, parsed by commander. */
  port?: number;
  token?: string;
  venv: string;
  force?: boolean;
}

/** What init did: where, which files, and the plan the next steps come from. */
interface InitOutcome {
  dir: string;
  written: string[];
  plan: ProjectPlan;
  /** The Token given (flag, WXDEV_TOKEN or the prompt), only ever shown masked; it is written nowhere. */
  token?: string;
}

/**
 * Asks until `check` accepts the answer (`hidden`: not echoed); Ctrl-D (no answer) is an InputError naming the
 * flag.
 */
async function askFor<T>(
  cli: Cli,
  question: string,
  flag: string,
  check: (answer: string) => T,
  hidden = false,
): Promise<T> {
  for (;;) {
    const answer = await ask(cli.io, question, hidden);
    if (answer === undefined) throw new InputError(`no ${flag.slice(2)} given`, { hint: `pass ${flag}` });
    try {
      return check(answer.trim());
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      cli.io.stderr.write(`${error.message}${error.hint ? `: ${error.hint}` : ""}\n`);
    }
  }
}

/** The SSH port asked on a terminal: Enter keeps `current` (a hand-added port) or ssh's 22. */
function askPort(cli: Cli, current: number | undefined): Promise<number | undefined> {
  const parse = portParser(1);
  return askFor(cli, `SSH port (Enter for ${current ?? 22}): `, "--port", (answer) => {
    if (answer === "") return current;
    try {
      return parse(answer);
    } catch {
      throw new InputError(`${JSON.stringify(answer)} is not a port number`, { hint: "give 1-65535, or Enter" });
    }
  });
}

/**
 * The account, host, SSH port and Token: from flags (and WXDEV_TOKEN), asked on a terminal, else an error naming
 * the flag. `existing` is the wxdev.config.json init replaces (with --force): its hand-added keys are kept.
 */
async function gather(
  cli: Cli,
  options: InitOptions,
  existing: WxdevConfig | undefined,
): Promise<{ plan: ProjectPlan; token?: string }> {
  const { planProject, accountPort, checkHost, checkToken } = await import("../../../core/init/plan.js");
  const terminal = cli.io.stdin.isTTY === true;
  const missing = (["account", "host"] as const).filter((key) => options[key] === undefined);
  if (!terminal && missing.length > 0) {
    throw new InputError(`missing ${missing.map((key) => `--${key}`).join(" and ")}`, {
      hint: "e.g. wxdev init --account s8013 --host 101.200.170.171 (or run it in a terminal to be asked)",
    });
  }
  const account =
    options.account ??
    (await askFor(cli, "Class account (e.g. s8013): ", "--account", (answer) => {
      accountPort(answer);
      return answer;
    }));
  const host = options.host ?? (await askFor(cli, "Server host name or IP: ", "--host", checkHost));
  const current = existing?.servers?.[account]?.port;
  const port = options.port ?? (terminal ? await askPort(cli, current) : undefined);
  let token = options.token ?? (cli.io.env.WXDEV_TOKEN || undefined);
  if (token !== undefined) checkToken(token);
  else if (terminal) {
    const question = "Token (hidden; Enter to skip and set WXDEV_TOKEN later): ";
    token = await askFor(cli, question, "--token", (answer) => (answer ? checkToken(answer) : undefined), true);
  }
  return { plan: planProject({ account, host, venv: options.venv, port, existing }), token };
}

/** Refuses before any question or write when a file init makes is already there (unless --force). */
function refuseExisting(dir: string, existing: string[]): void {
  if (existing.length === 0) return;
  const many = existing.length > 1;
  throw new InputError(`${existing.join(", ")} already ${many ? "exist" : "exists"} in ${dir}: nothing was written`, {
    hint: `pass --force to overwrite ${many ? "them" : "it"}`,
  });
}

/** The wxdev.config.json that --force replaces, if it is there and valid (an invalid one is replaced whole). */
function existingConfig(out: Output, dir: string): WxdevConfig | undefined {
  const path = join(dir, CONFIG_FILE_NAME);
  if (!existsSync(path)) return undefined;
  try {
    return loadConfig({ cwd: dir, path }).config;
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    out.warn(`${error.message}: init replaces it whole`);
    return undefined;
  }
}

async function runInit(cli: Cli, out: Output, dirArgument: string, options: InitOptions): Promise<InitOutcome> {
  const { existingFiles, writeProject } = await import("./write-project.js");
  const { PROJECT_FILES } = await import("../../../core/init/plan.js");
  const dir = resolve(cli.io.cwd, dirArgument);
  if (!options.force) refuseExisting(dir, existingFiles(dir, PROJECT_FILES));
  const { plan, token } = await gather(cli, options, options.force ? existingConfig(out, dir) : undefined);
  return { dir, written: writeProject(dir, plan.files), plan, token };
}

function printInit(out: Output, { dir, written, plan, token }: InitOutcome): void {
  if (out.json) {
    const { account, host, port, appPort, path, localUrl, publicUrl, venv, kept } = plan;
    out.printJson({
      ok: true,
      dir,
      files: written,
      account,
      host,
      port,
      appPort,
      path,
      localUrl,
      publicUrl,
      venv,
      kept,
    });
    return;
  }
  const server = plan.account;
  out.line(`Created the project in ${dir}:`);
  for (const file of written) out.line(`  ${out.ok("wrote")} ${file}`);
  if (plan.kept.length > 0) out.line(`  kept from the ${CONFIG_FILE_NAME} that was there: ${plan.kept.join(", ")}`);
  const tokenLine = token
    ? `the Token ${mask(token)} is in no file here: export it in each terminal`
    : "the Token you set on the platform";
  out.line(`
Next steps, in this order (${tokenLine}):
  1. Run it here:     export WXDEV_TOKEN=…   then   python3 wechat.py   (pip install -r requirements.txt if needed)
  2. Check it:        wxdev check            (in another terminal; the URL ${plan.localUrl} is in the config)
  3. Its venv, once:  wxdev ssh ${server}   then   mkvirtualenv ${plan.venv}   then   exit
  4. Its Token, once: wxdev env ${server} set WECHAT_TOKEN   (asks for it, hidden; the app reads it on the server)
  5. Deploy:          wxdev deploy ${server} --no-start && wxdev exec ${server} -- pip install -r requirements.txt
  6. Start it:        wxdev start ${server} && wxdev status ${server}
  7. On the platform: URL ${plan.publicUrl}, your Token, message mode 明文 (plain)`);
}

/** `wxdev init [dir]`: scaffolds the class's project (wechat.py, requirements.txt, .gitignore, wxdev.config.json). */
export function initCommand(cli: Cli): Command {
  const command = new Command("init")
    .argument("[dir]", "the project folder (made if missing)", ".")
    .option("--account <name>", "the class account on the shared server, e.g. s8013 (port 8013, path /wechat8013)")
    .option("--host <host>", "the shared server's host name or IP address")
    .addOption(
      new Option("--port <port>", "the SSH port (default 22, or the Port ~/.ssh/config gives the host)").argParser(
        portParser(1),
      ),
    )
    .option("--token <token>", "the Token (checked, then shown masked; written to no file. Better: WXDEV_TOKEN)")
    .option("--venv <name>", "the virtualenvwrapper name the app runs in on the server", "wechat")
    .option("--force", "overwrite files that already exist")
    .action(async (dir: string, options: InitOptions, self: Command) => {
      const out = cli.output(self);
      printInit(out, await runInit(cli, out, dir, options));
    });
  return withExamples(command, [
    "wxdev init                                # asks for the account, host, SSH port and Token on a terminal",
    "wxdev init my-app --account s8013 --host 101.200.170.171",
    "wxdev init --account s8013 --host 101.200.170.171 --force   # overwrite the files it makes",
  ]);
}
