import { Command } from "commander";
import { required, type Cli } from "../context.js";
import { withExamples } from "../help.js";
import { settingOption } from "../options.js";

interface SignOptions {
  token?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  encrypt?: string;
  openid?: string;
}

/** `wxdev sign`: the signature and query string WeChat would send. */
export function signCommand(cli: Cli): Command {
  const command = new Command("sign")
    .addOption(settingOption("token"))
    .option("--timestamp <seconds>", "timestamp (default: now)")
    .option("--nonce <nonce>", "nonce (default: random)")
    .option("--echostr <text>", "add echostr, for a URL-validation GET")
    .option("--openid <openid>", "add openid, as on message POSTs")
    .option("--encrypt <base64>", "the body's Encrypt field: also compute msg_signature")
    .action(async (options: SignOptions, self: Command) => {
      const { makeNonce, makeTimestamp, msgSignature, signature } = await import("../../core/signature.js");
      const out = cli.output(self);
      const { settings } = cli.settings(self, { token: options.token });
      const token = required(settings, "token");
      const timestamp = options.timestamp ?? makeTimestamp();
      const nonce = options.nonce ?? makeNonce();
      const sig = signature(token, timestamp, nonce);
      const result: Record<string, string> = { signature: sig, timestamp, nonce };
      const query = new URLSearchParams({ signature: sig, timestamp, nonce });
      if (options.echostr !== undefined) query.set("echostr", options.echostr);
      if (options.openid !== undefined) query.set("openid", options.openid);
      if (options.encrypt !== undefined) {
        result.msgSignature = msgSignature(token, timestamp, nonce, options.encrypt);
        query.set("encrypt_type", "aes");
        query.set("msg_signature", result.msgSignature);
      }
      result.query = query.toString();
      if (settings.url !== undefined)
        result.url = `${settings.url}${settings.url.includes("?") ? "&" : "?"}${result.query}`;
      if (out.json) return out.printJson(result);
      out.table([
        ["signature", sig],
        ["timestamp", timestamp],
        ["nonce", nonce],
        ...(result.msgSignature ? [["msg_signature", result.msgSignature] as [string, string]] : []),
        ["query", result.query],
        ...(result.url ? [["url", result.url] as [string, string]] : []),
      ]);
    });
  return withExamples(command, [
    "WXDEV_TOKEN=mytoken wxdev sign",
    "wxdev sign --token test --timestamp 1410685589 --nonce test --echostr hello",
    'wxdev sign --encrypt "$ENCRYPT" --json',
  ]);
}
