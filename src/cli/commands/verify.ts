import { Command } from "commander";
import { InputError } from "../../core/support/errors.js";
import { required, type Cli } from "../context.js";
import { exitCodeFor } from "../exit-code.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { settingOption } from "../options.js";

interface VerifyOptions {
  token?: string;
  signature?: string;
  timestamp?: string;
  nonce?: string;
  msgSignature?: string;
  encrypt?: string;
  body?: string;
}

interface Check {
  name: "signature" | "msg_signature";
  valid: boolean;
  expected: string;
  received: string;
}

/** The query part of a full callback URL or a bare query string. */
function queryOf(text: string): URLSearchParams {
  const question = text.indexOf("?");
  return new URLSearchParams(question >= 0 ? text.slice(question + 1).split("#")[0] : text.replace(/^\?/, ""));
}

/** What verify found: each signature checked, and whether msg_signature was given but could not be checked. */
interface VerifyOutcome {
  valid: boolean;
  checks: Check[];
  msgSignatureUnchecked: boolean;
}

async function runVerify(
  cli: Cli,
  token: string,
  url: string | undefined,
  options: VerifyOptions,
): Promise<VerifyOutcome> {
  const { msgSignature, safeEqual, signature } = await import("../../core/wire/signature.js");
  const query = queryOf(url ?? "");
  const pick = (flag: string | undefined, name: string): string | undefined => flag ?? query.get(name) ?? undefined;
  const received = pick(options.signature, "signature");
  const timestamp = pick(options.timestamp, "timestamp");
  const nonce = pick(options.nonce, "nonce");
  const receivedMsg = pick(options.msgSignature, "msg_signature");
  if (timestamp === undefined || nonce === undefined || (received === undefined && receivedMsg === undefined)) {
    throw new InputError("need signature, timestamp and nonce", {
      hint: "pass the callback URL in quotes, or --signature, --timestamp and --nonce",
    });
  }
  const checks: Check[] = [];
  if (received !== undefined) {
    const expected = signature(token, timestamp, nonce);
    checks.push({ name: "signature", expected, received, valid: safeEqual(expected, received.toLowerCase()) });
  }
  const encrypt =
    options.encrypt ?? (options.body === undefined ? undefined : await encryptFromBody(cli, options.body));
  if (receivedMsg !== undefined && encrypt !== undefined) {
    const expected = msgSignature(token, timestamp, nonce, encrypt);
    checks.push({
      name: "msg_signature",
      expected,
      received: receivedMsg,
      valid: safeEqual(expected, receivedMsg.toLowerCase()),
    });
  }
  const valid = checks.length > 0 && checks.every((check) => check.valid);
  return { valid, checks, msgSignatureUnchecked: receivedMsg !== undefined && encrypt === undefined };
}

function printVerify(out: Output, { valid, checks, msgSignatureUnchecked }: VerifyOutcome): void {
  if (msgSignatureUnchecked) out.warn("msg_signature not checked: pass --encrypt or --body as well");
  if (out.json) {
    out.printJson({ valid, checks });
    return;
  }
  for (const check of checks) {
    if (check.valid) {
      out.line(`${out.ok("valid")}  ${check.name} ${check.received}`);
    } else {
      out.line(`${out.bad("invalid")}  ${check.name}`);
      out.table([
        ["  expected", check.expected],
        ["  received", check.received],
      ]);
    }
  }
  if (!valid)
    out.note("Likely causes: a different Token than the platform's, or timestamp/nonce changed after signing.");
}

/** `wxdev verify`: does a request's signature match the Token? */
export function verifyCommand(cli: Cli): Command {
  const command = new Command("verify")
    .argument("[url]", "the full callback URL or its query string")
    .addOption(settingOption("token"))
    .option("--signature <hex>", "the signature received")
    .option("--timestamp <seconds>", "the timestamp received")
    .option("--nonce <nonce>", "the nonce received")
    .option("--msg-signature <hex>", "the msg_signature received (safe/compatible mode)")
    .option("--encrypt <base64>", "the body's Encrypt field, to check msg_signature")
    .option("--body <file>", "the request body (a file, or - for stdin), to check msg_signature")
    .action(async (url: string | undefined, options: VerifyOptions, self: Command) => {
      const out = cli.output(self);
      const { settings } = cli.settings(self, { token: options.token });
      const token = required(settings, "token");
      const outcome = await runVerify(cli, token, url, options);
      printVerify(out, outcome);
      cli.exitCode = exitCodeFor(outcome.valid);
    });
  return withExamples(command, [
    "wxdev verify 'http://127.0.0.1:8013/wechat8013?signature=…&timestamp=…&nonce=…'",
    "wxdev verify --token test --signature f21891de399b4e33a1a93c9a7b8a8fffb5a443ff" +
      " --timestamp 1410685589 --nonce test",
    'wxdev verify "$CALLBACK_URL" --body request.xml',
  ]);
}

async function encryptFromBody(cli: Cli, body: string): Promise<string> {
  const { readTextFile } = await import("../../core/support/read-file.js");
  const { parseXml } = await import("../../core/wire/xml.js");
  const text =
    body === "-"
      ? await cli.input("-", "request body")
      : await readTextFile(body, { name: `body file ${body}`, hint: "check the path" });
  const encrypt = parseXml(text).Encrypt;
  if (typeof encrypt !== "string")
    throw new InputError("the body has no Encrypt field", { hint: "pass the encrypted request body" });
  return encrypt;
}
