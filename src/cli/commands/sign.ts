import { Command } from "commander";
import { required, type Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { settingOption } from "../options.js";

interface SignOptions {
  token?: string;
  timestamp?: string;
  nonce?: string;
  echostr?: string;
  encrypt?: string;
  openid?: string;
}

/** The signatures and the query string (and URL, when one is configured) of a signed request. */
interface SignOutcome {
  signature: string;
  timestamp: string;
  nonce: string;
  msgSignature?: string;
  query: string;
  url?: string;
}

async function runSign(token: string, options: SignOptions, url: string | undefined): Promise<SignOutcome> {
  const { makeNonce, makeTimestamp, msgSignature, signature } = await import("../../core/wire/signature.js");
  const timestamp = options.timestamp ?? makeTimestamp();
  const nonce = options.nonce ?? makeNonce();
  const result: SignOutcome = { signature: signature(token, timestamp, nonce), timestamp, nonce, query: "" };
  const query = new URLSearchParams({ signature: result.signature, timestamp, nonce });
  if (options.echostr !== undefined) query.set("echostr", options.echostr);
  if (options.openid !== undefined) query.set("openid", options.openid);
  if (options.encrypt !== undefined) {
    result.msgSignature = msgSignature(token, timestamp, nonce, options.encrypt);
    query.set("encrypt_type", "aes");
    query.set("msg_signature", result.msgSignature);
  }
  result.query = query.toString();
  if (url !== undefined) result.url = `${url}${url.includes("?") ? "&" : "?"}${result.query}`;
  return result;
}

function printSign(out: Output, result: SignOutcome): void {
  if (out.json) {
    out.printJson(result);
    return;
  }
  out.table([
    ["signature", result.signature],
    ["timestamp", result.timestamp],
    ["nonce", result.nonce],
    ...(result.msgSignature ? [["msg_signature", result.msgSignature] as [string, string]] : []),
    ["query", result.query],
    ...(result.url ? [["url", result.url] as [string, string]] : []),
  ]);
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
      const out = cli.output(self);
      const { settings } = cli.settings(self, { token: options.token });
      const token = required(settings, "token");
      printSign(out, await runSign(token, options, settings.url));
    });
  return withExamples(command, [
    "WXDEV_TOKEN=mytoken wxdev sign",
    "wxdev sign --token test --timestamp 1410685589 --nonce test --echostr hello",
    'wxdev sign --encrypt "$ENCRYPT" --json',
  ]);
}
