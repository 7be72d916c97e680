import type { Command } from "commander";
import type { Settings } from "../../core/config/settings.js";
import type { MessageCrypto } from "../../core/wire/crypto.js";
import { required } from "../context.js";
import { settingOption } from "../options.js";

/** The --token/--aes-key/--app-id flags shared by commands that encrypt. */
export interface CryptoFlags {
  token?: string;
  aesKey?: string;
  appId?: string;
}

/** Adds --token, --aes-key and --app-id, as the SETTINGS table declares them. */
export function addCryptoOptions(command: Command): Command {
  return command.addOption(settingOption("token")).addOption(settingOption("aesKey")).addOption(settingOption("appId"));
}

/** A MessageCrypto from resolved settings; names the missing setting otherwise. */
export async function cryptoFrom(
  settings: Settings,
  options: { needToken?: boolean; needAppId?: boolean } = {},
): Promise<MessageCrypto> {
  const { MessageCrypto } = await import("../../core/wire/crypto.js");
  const encodingAESKey = required(settings, "aesKey");
  const token = options.needToken === false ? (settings.token ?? "") : required(settings, "token");
  const appId = options.needAppId === false ? (settings.appId ?? "") : required(settings, "appId");
  return new MessageCrypto({ token, encodingAESKey, appId });
}
