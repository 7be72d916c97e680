import { MessageCrypto } from "../wire/crypto.js";
import { MissingSettingError } from "./settings.js";
import type { Mode } from "../wire/modes.js";

/**
 * The MessageCrypto a mode needs, from the Token, EncodingAESKey and appId: undefined in plain
 * mode without a key; a key without its appId is an error in any mode (nothing could be decrypted).
 */
export function cryptoForMode(
  mode: Mode,
  settings: { token: string; aesKey?: string; appId?: string },
): MessageCrypto | undefined {
  if (settings.aesKey === undefined || settings.aesKey === "") {
    if (mode !== "plain") throw new MissingSettingError("aesKey", `${mode} mode needs the EncodingAESKey`);
    return undefined;
  }
  if (settings.appId === undefined || settings.appId === "")
    throw new MissingSettingError("appId", "an EncodingAESKey needs its appId");
  return new MessageCrypto({ token: settings.token, encodingAESKey: settings.aesKey, appId: settings.appId });
}
