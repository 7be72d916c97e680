import { Option, type Command } from "commander";
import type { Target } from "../core/client/target.js";
import type { ServerConfig } from "../core/config/file.js";
import type { Mode } from "../core/wire/modes.js";
import type { Cli } from "./context.js";
import { required } from "./context.js";
import { addCryptoOptions, cryptoFrom, type CryptoFlags } from "./crypto-options.js";
import { describeSource, parseTimeout, settingOption } from "./options.js";

/** Flags of every command that talks to a server: where, in which mode, how long to wait. */
export interface TargetFlags extends CryptoFlags {
  url?: string;
  mode?: Mode;
  /** Seconds, parsed and bounded by commander. */
  timeout: number;
}

/** Adds --url, --mode, --timeout and the crypto flags. */
export function addTargetOptions(command: Command): Command {
  return addCryptoOptions(command)
    .addOption(settingOption("url"))
    .addOption(settingOption("mode"))
    .addOption(
      new Option("--timeout <seconds>", "how long to wait for an answer, as WeChat does")
        .argParser(parseTimeout)
        .default(5),
    );
}

/** Resolves URL, token, mode, crypto and deadline from flags, environment and config into the core's Target. */
export async function resolveTarget(cli: Cli, command: Command, flags: TargetFlags): Promise<Target> {
  const { settings, sources } = cli.settings(command, flags);
  const { createTarget } = await import("../core/client/target.js");
  const url = required(settings, "url");
  const token = required(settings, "token");
  const { mode } = settings;
  const hasKey = settings.aesKey !== undefined && settings.aesKey !== "";
  const crypto = mode !== "plain" || hasKey ? await cryptoFrom(settings) : undefined;
  // A broken config file was set aside by cli.settings (with a warning): nothing more is read from it.
  const file = cli.brokenConfig === undefined ? cli.config(command) : { config: {} };
  const origin = {
    tokenFrom: describeSource("token", sources.token, file.path),
    server: serverOf(file.config.servers ?? {}, url),
  };
  return createTarget({ url, token, mode, crypto, timeoutMs: flags.timeout * 1000, origin });
}

/** The configured server a callback URL belongs to: the one whose checkUrl it is, else the only one on its host. */
function serverOf(servers: Record<string, ServerConfig>, url: string): string | undefined {
  const host = URL.canParse(url) ? new URL(url).hostname : undefined;
  const bare = (text: string): string => text.replace(/\/+$/, "");
  const entries = Object.entries(servers);
  const byCheckUrl = entries.find(([, server]) => server.checkUrl !== undefined && bare(server.checkUrl) === bare(url));
  if (byCheckUrl !== undefined) return byCheckUrl[0];
  const onHost = entries.filter(([, server]) => server.host === host);
  return onHost.length === 1 ? onHost[0]?.[0] : undefined;
}
