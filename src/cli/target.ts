import { Option, type Command } from "commander";
import type { Target } from "../core/client/target.js";
import { InputError } from "../core/errors.js";
import { MODES, type Mode } from "../core/modes.js";
import type { Cli } from "./context.js";
import { addCryptoOptions, cryptoFrom, type CryptoFlags } from "./crypto-options.js";
import { required } from "./context.js";

/** Flags of every command that talks to a server: where, in which mode, how long to wait. */
export interface TargetFlags extends CryptoFlags {
  url?: string;
  mode?: Mode;
  timeout: string;
}

/** Adds --url, --mode, --timeout and the crypto flags. */
export function addTargetOptions(command: Command): Command {
  return addCryptoOptions(command)
    .option("--url <url>", 'the server\'s callback URL (or WXDEV_URL, or "url" in wxdev.config.json)')
    .addOption(new Option("--mode <mode>", "message mode (default: config, else plain)").choices([...MODES]))
    .option("--timeout <seconds>", "how long to wait for an answer, as WeChat does", "5");
}

/** Resolves URL, token, mode, crypto and deadline from flags, environment and config into the core's Target. */
export async function resolveTarget(cli: Cli, command: Command, flags: TargetFlags): Promise<Target> {
  const { settings } = cli.settings(command, {
    token: flags.token,
    aesKey: flags.aesKey,
    appId: flags.appId,
    url: flags.url,
    mode: flags.mode,
  });
  const { createTarget } = await import("../core/client/target.js");
  const url = required(settings.url, "--url", "WXDEV_URL", "url");
  const token = required(settings.token, "--token", "WXDEV_TOKEN", "token");
  const mode = settings.mode ?? "plain";
  const seconds = Number(flags.timeout);
  if (!Number.isFinite(seconds) || seconds <= 0)
    throw new InputError(`--timeout ${flags.timeout} is not a number of seconds`, { hint: "use e.g. --timeout 5" });
  if (seconds > 3600)
    throw new InputError(`--timeout ${flags.timeout} is more than an hour`, {
      hint: "WeChat waits 5 s; use at most --timeout 3600",
    });
  const hasKey = settings.aesKey !== undefined && settings.aesKey !== "";
  const crypto = mode !== "plain" || hasKey ? await cryptoFrom(settings) : undefined;
  return createTarget({ url, token, mode, crypto, timeoutMs: seconds * 1000 });
}
