import { callbackPath } from "../../../core/config/class-account.js";
import type { Settings } from "../../../core/config/settings.js";
import { InputError, WxdevError } from "../../../core/support/errors.js";
import { required } from "../../context.js";

/** Opens safe-mode bodies for the log when the account's EncodingAESKey and appId are configured. */
export async function logDecrypter(settings: Settings): Promise<((encrypted: string) => string) | undefined> {
  const { aesKey, appId } = settings;
  if (aesKey === undefined || aesKey === "" || appId === undefined || appId === "") return undefined;
  const { MessageCrypto } = await import("../../../core/wire/crypto.js");
  try {
    const crypto = new MessageCrypto({ token: settings.token ?? "", encodingAESKey: aesKey, appId });
    return (encrypted) => crypto.decrypt(encrypted);
  } catch {
    return undefined; // a malformed key: the log says "encrypted", and --serve reports the key itself
  }
}

/** --serve: wxdev's reference server on the local port, at checkUrl's path (else /wechat<port>). */
export async function startLocalServer(
  settings: Settings,
  where: { localPort: number; remotePort: number; publicUrl?: string },
): Promise<{ url: string; close(): Promise<void> }> {
  const { createWechatServer } = await import("../../../core/server/http.js");
  let path = callbackPath(where.remotePort);
  if (where.publicUrl !== undefined) {
    try {
      path = new URL(where.publicUrl).pathname;
    } catch {
      // A checkUrl that is not a URL is reported by --check; the default path serves meanwhile.
    }
  }
  const server = createWechatServer({
    host: "127.0.0.1",
    port: where.localPort,
    path,
    token: required(settings, "token"),
    mode: settings.mode,
    aesKey: settings.aesKey,
    appId: settings.appId,
  });
  try {
    return await server.listen();
  } catch (error) {
    if (error instanceof WxdevError && /already in use/.test(error.message))
      throw new InputError(`--serve cannot listen on 127.0.0.1:${where.localPort}: something here already does`, {
        hint: "stop it, or leave out --serve to tunnel to it (or pick another --local-port)",
        cause: error,
      });
    throw error;
  }
}
