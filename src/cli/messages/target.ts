import { Option, type Command } from "commander";
import type { Target } from "../../core/client/target.js";
import type { ServerConfig } from "../../core/config/file.js";
import type { Mode } from "../../core/wire/modes.js";
import type { Cli } from "../context.js";
import { required } from "../context.js";
import { addCryptoOptions, cryptoFrom, type CryptoFlags } from "./crypto-options.js";
import { describeSource, parseTimeout, settingOption } from "../options.js";

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
  const { createTarget } = await import("../../core/client/target.js");
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

/**
 * The configured server a callback URL belongs to: the one whose checkUrl it is (or is under), else the one whose
 * web server (checkUrl's scheme, host and port) it is on; without a checkUrl, the server's host on the web's own
 * port. Never an app on this machine's own port (http://127.0.0.1:8013/…), even when the server's host is loopback.
 */
function serverOf(servers: Record<string, ServerConfig>, url: string): string | undefined {
  if (!URL.canParse(url)) return undefined;
  const target = new URL(url);
  const bare = (text: string): string => text.replace(/\/+$/, "");
  const entries = Object.entries(servers);
  const public_ = (server: ServerConfig): URL | undefined =>
    server.checkUrl !== undefined && URL.canParse(server.checkUrl) ? new URL(server.checkUrl) : undefined;
  const byCheckUrl = entries.find(([, server]) => server.checkUrl !== undefined && bare(server.checkUrl) === bare(url));
  if (byCheckUrl !== undefined) return byCheckUrl[0];
  const sameWeb = entries.filter(([, server]) => public_(server)?.origin === target.origin);
  const under = sameWeb.filter(([, server]) => target.pathname.startsWith(bare(public_(server)?.pathname ?? "")));
  const unique = (found: [string, ServerConfig][]): string | undefined =>
    found.length === 1 ? found[0]?.[0] : undefined;
  if (sameWeb.length > 0) return unique(under) ?? unique(sameWeb);
  const onHost = entries.filter(
    ([, server]) => server.checkUrl === undefined && server.host === target.hostname && target.port === "",
  );
  return unique(onHost);
}
