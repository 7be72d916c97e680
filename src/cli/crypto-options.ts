import type { Command } from "commander";
import type { Settings } from "../core/config.js";
import type { MessageCrypto } from "../core/crypto.js";
import { required } from "./context.js";

/** The --token/--aes-key/--app-id flags shared by commands that encrypt. */
export interface CryptoFlags {
  token?: string;
  aesKey?: string;
  appId?: string;
}

export function addCryptoOptions(command: Command): Command {
  return command
    .option("--token <token>", "the Token (better: WXDEV_TOKEN or wxdev.config.json)")
    .option("--aes-key <key>", "the 43-character EncodingAESKey (better: WXDEV_AES_KEY)")
    .option("--app-id <appid>", "the account's appId (or WXDEV_APP_ID)");
}

/** A MessageCrypto from resolved settings; names the missing setting otherwise. */
export async function cryptoFrom(
  settings: Settings,
  options: { needToken?: boolean; needAppId?: boolean } = {},
): Promise<MessageCrypto> {
  const { MessageCrypto } = await import("../core/crypto.js");
  const encodingAESKey = required(settings.aesKey, "--aes-key", "WXDEV_AES_KEY", "aesKey");
  const token =
    options.needToken === false ? (settings.token ?? "") : required(settings.token, "--token", "WXDEV_TOKEN", "token");
  const appId =
    options.needAppId === false
      ? (settings.appId ?? "")
      : required(settings.appId, "--app-id", "WXDEV_APP_ID", "appId");
  return new MessageCrypto({ token, encodingAESKey, appId });
}
