import { Command, InvalidArgumentError, Option } from "commander";
import { mask } from "../../core/support/redact.js";
import type { Settings } from "../../core/config/settings.js";
import { InputError } from "../../core/support/errors.js";
import type { SignedPage } from "../../core/wire/jsapi.js";
import { required, type Cli } from "../context.js";
import { withExamples } from "../help.js";
import type { Output } from "../output.js";
import { settingOption } from "../options.js";

interface JsapiSignOptions {
  ticket?: string;
  url: string;
  nonce?: string;
  timestamp?: string;
  appId?: string;
  fetch?: boolean;
  apiBase?: string;
}

/** A signed page and the ticket it was signed with (shown masked), and where the ticket came from. */
interface JsapiSignOutcome extends SignedPage {
  ticket: string;
  /** What is signed as given but unusual, each naming its source. */
  warnings: string[];
  fetchedFrom?: string;
}

/** commander parser: the page's absolute http(s) URL, kept exactly as typed (it is signed as a string). */
function parsePageUrl(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new InvalidArgumentError(
      "not an absolute URL: the signature covers the page's full URL (JS-SDK documentation, appendix 1)," +
        " e.g. https://example.com/page?x=1",
    );
  }
  if (url.protocol !== "http:" && url.protocol !== "https:")
    throw new InvalidArgumentError("not an http(s) URL: the JS-SDK signs the web page that calls wx.config");
  return value;
}

/** The ticket: fetched through the API (token, then getticket), or from --ticket / WXDEV_JSAPI_TICKET / stdin. */
async function resolveTicket(
  cli: Cli,
  settings: Settings,
  options: JsapiSignOptions,
): Promise<{ ticket: string; fetchedFrom?: string }> {
  if (options.fetch === true) {
    if (options.ticket !== undefined)
      throw new InputError("--fetch gets a ticket and --ticket gives one", { hint: "pass one of them, not both" });
    const { API_BASE, OAuthClient } = await import("../../core/oauth/client.js");
    const client = new OAuthClient({
      appId: required(settings, "appId"),
      appSecret: required(settings, "appSecret"),
      apiBase: settings.apiBase,
    });
    const token = await client.clientToken();
    const { ticket } = await client.jsapiTicket(token.access_token);
    return { ticket, fetchedFrom: settings.apiBase ?? API_BASE };
  }
  const given = settings.jsapiTicket;
  if (given === undefined || given === "")
    throw new InputError("missing the jsapi_ticket", {
      hint: "pass --ticket T (or --ticket - to read it from stdin), set WXDEV_JSAPI_TICKET, or get one with --fetch",
    });
  const ticket = given === "-" ? (await cli.input("-", "the jsapi_ticket")).trim() : given;
  return { ticket };
}

/** Refuses what wx.config could not use (exit 2); returns the warnings about what is only unusual. */
async function checkInput(input: { ticket?: string; nonceStr?: string; timestamp?: string }): Promise<string[]> {
  const { jsapiInputProblems } = await import("../../core/wire/jsapi-input.js");
  const problems = jsapiInputProblems(input);
  const refused = problems.find((problem) => problem.severity === "error");
  if (refused !== undefined) throw new InputError(refused.message);
  return problems.map((problem) => problem.message);
}

async function runJsapiSign(cli: Cli, self: Command, options: JsapiSignOptions): Promise<JsapiSignOutcome> {
  const warnings = await checkInput({ nonceStr: options.nonce, timestamp: options.timestamp });
  const { settings } = cli.settings(self, {
    appId: options.appId,
    apiBase: options.apiBase,
    jsapiTicket: options.ticket,
  });
  const source = await resolveTicket(cli, settings, options);
  warnings.push(...(await checkInput({ ticket: source.ticket })));
  const { wxConfig } = await import("../../core/wire/jsapi.js");
  const signed = wxConfig({
    ticket: source.ticket,
    url: options.url,
    nonceStr: options.nonce,
    timestamp: options.timestamp,
    appId: settings.appId,
  });
  return { ...signed, ...source, warnings };
}

function printJsapiSign(out: Output, outcome: JsapiSignOutcome): void {
  for (const warning of outcome.warnings) out.warn(warning);
  if (outcome.droppedFragment !== undefined)
    out.note(`note: the URL's fragment ${outcome.droppedFragment} is not signed; signed ${outcome.url}`);
  if (outcome.fetchedFrom !== undefined) out.note(`ticket ${mask(outcome.ticket)} fetched from ${outcome.fetchedFrom}`);
  if (out.json) {
    if (outcome.config.appId === undefined)
      out.note("note: no appId set (--app-id or WXDEV_APP_ID): add it to wx.config");
    out.printJson({ ...outcome.config, url: outcome.url });
    return;
  }
  const { config } = outcome;
  out.table([
    ["signature", config.signature],
    ["timestamp", String(config.timestamp)],
    ["nonceStr", config.nonceStr],
    ["url", outcome.url],
    ["ticket", mask(outcome.ticket)],
    ...(config.appId === undefined ? [] : [["appId", config.appId] as [string, string]]),
  ]);
}

/** `wxdev jsapi-sign`: the JS-SDK signature of a page, and the ready wx.config object. */
export function jsapiSignCommand(cli: Cli): Command {
  const command = new Command("jsapi-sign")
    .option("--ticket <ticket>", "the jsapi_ticket, or - to read it from stdin (better: WXDEV_JSAPI_TICKET)")
    .addOption(
      new Option("--url <url>", "the page's full URL (a #fragment is not signed)")
        .argParser(parsePageUrl)
        .makeOptionMandatory(),
    )
    .option("--nonce <nonceStr>", "nonceStr (default: 16 random letters and digits)")
    .option("--timestamp <seconds>", "timestamp in whole seconds (default: now)")
    .addOption(settingOption("appId", "the appId for wx.config (or WXDEV_APP_ID)"))
    .option("--fetch", "get the ticket through the API: cgi-bin/token (appId, WXDEV_APP_SECRET), then getticket")
    .addOption(settingOption("apiBase"))
    .addHelpText(
      "after",
      "\n--json prints the wx.config object ({appId, timestamp, nonceStr, signature}) plus the signed url;" +
        " the ticket is never printed in full.",
    )
    .action(async (options: JsapiSignOptions, self: Command) => {
      printJsapiSign(cli.output(self), await runJsapiSign(cli, self, options));
    });
  return withExamples(command, [
    "WXDEV_JSAPI_TICKET=… wxdev jsapi-sign --url 'https://example.com/page?x=1'",
    "wxdev jsapi-sign --ticket T --url http://mp.weixin.qq.com?params=value" +
      " --nonce Wm3WZYTPz0wzccnW --timestamp 1414587457",
    "WXDEV_APP_SECRET=… wxdev jsapi-sign --fetch --app-id wx123 --url https://example.com/" +
      " --api-base http://127.0.0.1:9000 --json",
  ]);
}
