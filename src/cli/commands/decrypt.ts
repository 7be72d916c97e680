import { Command } from "commander";
import type { MessageCrypto } from "../../core/wire/crypto.js";
import { InputError } from "../../core/support/errors.js";
import type { XmlRecord } from "../../core/wire/xml.js";
import type { Cli } from "../context.js";
import { addCryptoOptions, cryptoFrom, type CryptoFlags } from "../messages/crypto-options.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";

interface DecryptOptions extends CryptoFlags {
  timestamp?: string;
  nonce?: string;
  msgSignature?: string;
}

interface Found {
  encrypt: string;
  timestamp?: string;
  nonce?: string;
  msgSignature?: string;
}

/** The Encrypt field and any signature found in the input: bare base64 or an envelope/request body. */
async function readEnvelope(input: string, options: DecryptOptions): Promise<Found> {
  const text = input.trim();
  if (!text.startsWith("<")) {
    return { encrypt: text, timestamp: options.timestamp, nonce: options.nonce, msgSignature: options.msgSignature };
  }
  const { parseXml } = await import("../../core/wire/xml.js");
  const record: XmlRecord = parseXml(text);
  const str = (name: string): string | undefined =>
    typeof record[name] === "string" ? (record[name] as string) : undefined;
  const encrypt = str("Encrypt");
  if (encrypt === undefined)
    throw new InputError("the XML has no Encrypt field", {
      hint: "pass an encrypted envelope or the bare Encrypt value",
    });
  return {
    encrypt,
    timestamp: options.timestamp ?? str("TimeStamp"),
    nonce: options.nonce ?? str("Nonce"),
    msgSignature: options.msgSignature ?? str("MsgSignature"),
  };
}

function verifyIfSigned(crypto: MessageCrypto, found: Found): boolean {
  const { timestamp, nonce, msgSignature } = found;
  if (msgSignature === undefined) return false;
  if (timestamp === undefined || nonce === undefined) {
    throw new InputError("checking msg_signature needs the timestamp and nonce too", {
      hint: "pass --timestamp and --nonce",
    });
  }
  crypto.verify({ encrypt: found.encrypt, timestamp, nonce, msgSignature });
  return true;
}

/** The opened message, whose appId it names, and what was checked on the way. */
interface DecryptOutcome {
  plaintext: string;
  appId: string;
  appIdChecked: boolean;
  signatureVerified: boolean;
}

function runDecrypt(crypto: MessageCrypto, found: Found, appIdChecked: boolean): DecryptOutcome {
  const signatureVerified = verifyIfSigned(crypto, found);
  const { message, appId } = appIdChecked
    ? { message: crypto.decrypt(found.encrypt), appId: crypto.appId }
    : crypto.decryptRaw(found.encrypt);
  return { plaintext: message, appId, appIdChecked, signatureVerified };
}

function printDecrypt(out: Output, outcome: DecryptOutcome): void {
  if (!outcome.appIdChecked)
    out.warn(`appId not checked (pass --app-id or set WXDEV_APP_ID); the message is for ${outcome.appId}`);
  if (out.json) out.printJson(outcome);
  else out.line(outcome.plaintext);
}

/** `wxdev decrypt`: open a safe-mode Encrypt field or envelope. */
export function decryptCommand(cli: Cli): Command {
  const command = addCryptoOptions(new Command("decrypt"))
    .argument("[input]", "base64 Encrypt, envelope XML, or - for stdin")
    .option("--timestamp <seconds>", "the request's timestamp, to verify msg_signature")
    .option("--nonce <nonce>", "the request's nonce, to verify msg_signature")
    .option("--msg-signature <hex>", "the msg_signature to verify before decrypting")
    .action(async (input: string | undefined, options: DecryptOptions, self: Command) => {
      const out = cli.output(self);
      const { settings } = cli.settings(self, options);
      const found = await readEnvelope(await cli.input(input, "Encrypt value or envelope"), options);
      const crypto = await cryptoFrom(settings, { needToken: found.msgSignature !== undefined, needAppId: false });
      printDecrypt(out, runDecrypt(crypto, found, settings.appId !== undefined && settings.appId !== ""));
    });
  return withExamples(command, [
    'wxdev decrypt "$ENCRYPT"',
    "wxdev decrypt - < envelope.xml --json",
    'wxdev decrypt "$ENCRYPT" --timestamp 1409735669 --nonce 1320562132 --msg-signature 5d197a…',
  ]);
}
