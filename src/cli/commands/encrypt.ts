import { Command } from "commander";
import type { Cli } from "../context.js";
import { addCryptoOptions, cryptoFrom, type CryptoFlags } from "../messages/crypto-options.js";
import { withExamples } from "../help.js";

interface EncryptOptions extends CryptoFlags {
  timestamp?: string;
  nonce?: string;
}

/** `wxdev encrypt`: wrap a reply in the signed, encrypted envelope of safe mode. */
export function encryptCommand(cli: Cli): Command {
  const command = addCryptoOptions(new Command("encrypt"))
    .argument("[xml]", "the plaintext reply XML, or - for stdin")
    .option("--timestamp <seconds>", "envelope TimeStamp (default: now)")
    .option("--nonce <nonce>", "envelope Nonce (default: random)")
    .action(async (xml: string | undefined, options: EncryptOptions, self: Command) => {
      const { sealReply } = await import("../../core/wire/envelope.js");
      const { parseXml } = await import("../../core/wire/xml.js");
      const out = cli.output(self);
      const { settings } = cli.settings(self, options);
      const crypto = await cryptoFrom(settings);
      const plaintext = await cli.input(xml, "XML to encrypt");
      parseXml(plaintext);
      const envelope = sealReply(crypto, plaintext, options.timestamp, options.nonce);
      if (!out.json) return out.line(envelope);
      const fields = parseXml(envelope);
      out.printJson({
        xml: envelope,
        encrypt: fields.Encrypt,
        msgSignature: fields.MsgSignature,
        timestamp: fields.TimeStamp,
        nonce: fields.Nonce,
      });
    });
  return withExamples(command, [
    "wxdev encrypt '<xml><ToUserName><![CDATA[o…]]></ToUserName>…</xml>'",
    "wxdev encrypt - < reply.xml --json",
  ]);
}
