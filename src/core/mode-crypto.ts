import { MessageCrypto } from "./crypto.js";
import { ConfigError } from "./errors.js";
import type { Mode } from "./modes.js";

/**
 * The MessageCrypto a mode needs, from the Token, EncodingAESKey and appId: undefined in plain
 * mode without a key; a key without its appId is an error in any mode (nothing could be decrypted).
 */
export function cryptoForMode(
  mode: Mode,
  settings: { token: string; aesKey?: string; appId?: string },
): MessageCrypto | undefined {
  if (settings.aesKey === undefined || settings.aesKey === "") {
    if (mode !== "plain")
      throw new ConfigError(`${mode} mode needs the EncodingAESKey`, {
        key: "aesKey",
        hint: "set --aes-key or WXDEV_AES_KEY",
      });
    return undefined;
  }
  if (settings.appId === undefined || settings.appId === "")
    throw new ConfigError("an EncodingAESKey needs its appId", { key: "appId", hint: "set --app-id or WXDEV_APP_ID" });
  return new MessageCrypto({ token: settings.token, encodingAESKey: settings.aesKey, appId: settings.appId });
}
