import { Command } from "commander";
import { mask } from "../../../core/support/redact.js";
import type { OAuthClient } from "../../../core/oauth/client.js";
import { required, type Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import { flagOrExchanged, readExchanged } from "./tokens.js";
import { settingOption } from "../../options.js";
import type { Output } from "../../output.js";

interface ApiOptions {
  appId?: string;
  apiBase?: string;
}

async function clientFor(cli: Cli, self: Command, options: ApiOptions, needSecret: boolean): Promise<OAuthClient> {
  const { settings } = cli.settings(self, { appId: options.appId, apiBase: options.apiBase });
  const { OAuthClient } = await import("../../../core/oauth/client.js");
  const appSecret = needSecret ? required(settings, "appSecret") : undefined;
  return new OAuthClient({
    appId: required(settings, "appId"),
    appSecret,
    apiBase: settings.apiBase,
  });
}

/** Flags of the calls that print tokens: show them whole in the table. */
interface TokenPrinting {
  showTokens?: boolean;
}

/** The result as a table (tokens masked unless --show-tokens), or one JSON document (tokens whole). */
function printResult(out: Output, result: object, showTokens: boolean): void {
  if (out.json) {
    out.printJson(result);
    return;
  }
  const isToken = (key: string): boolean => /token$/.test(key);
  out.table(
    Object.entries(result).map(([key, value]) => [
      key,
      isToken(key) && !showTokens ? mask(String(value)) : typeof value === "string" ? value : JSON.stringify(value),
    ]),
  );
  if (!showTokens && Object.keys(result).some(isToken))
    out.note(out.c.dim("full tokens: --show-tokens, or --json (keep them private)"));
}

function apiCommand<T extends ApiOptions & TokenPrinting>(
  cli: Cli,
  name: string,
  description: string,
  setup: (command: Command) => Command,
  run: (client: OAuthClient, options: T) => Promise<object>,
  needSecret = false,
): Command {
  return setup(new Command(name).description(description))
    .addOption(settingOption("appId"))
    .addOption(settingOption("apiBase"))
    .action(async (options: T, self: Command) => {
      const out = cli.output(self);
      const result = await run(await clientFor(cli, self, options, needSecret), options);
      printResult(out, result, options.showTokens === true);
    });
}

const SHOW_TOKENS_HELP = "print the tokens whole in the table (they are masked by default; --json has them whole)";
const FROM_HELP = "take access_token and openid from oauth exchange's --json output: a file, or - for stdin";

/** The token pair of userinfo and check: from the flags, else from --from's JSON. */
async function accessPair(
  cli: Cli,
  options: { accessToken?: string; openid?: string; from?: string },
): Promise<{ accessToken: string; openid: string }> {
  const exchanged = options.from === undefined ? undefined : await readExchanged(cli, options.from);
  return {
    accessToken: flagOrExchanged(options.accessToken, exchanged, "access_token", "--access-token"),
    openid: flagOrExchanged(options.openid, exchanged, "openid", "--openid"),
  };
}

/** `wxdev oauth …`: the four sns API calls of web authorisation. */
export function oauthCommand(cli: Cli): Command {
  const command = new Command("oauth");
  command.addCommand(
    apiCommand<ApiOptions & TokenPrinting & { code: string }>(
      cli,
      "exchange",
      "exchange the redirect's code for an access token (app secret from WXDEV_APP_SECRET)",
      (c) =>
        c
          .requiredOption("--code <code>", "the code from the redirect")
          .option("--show-tokens", SHOW_TOKENS_HELP)
          .addHelpText(
            "after",
            "\nThe table masks the tokens; --show-tokens shows them, and --json prints the tokens in full (that is" +
              " how scripts get them), so keep that output private. Pipe it to the next step:\n" +
              "  wxdev oauth exchange --code C --json | wxdev oauth userinfo --from -",
          ),
      (client, o) => client.exchangeCode(o.code),
      true,
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & { accessToken?: string; openid?: string; from?: string; lang: string }>(
      cli,
      "userinfo",
      "fetch the user's profile (needs a snsapi_userinfo token)",
      (c) =>
        c
          .option("--access-token <token>", "from oauth exchange (overrides --from)")
          .option("--openid <openid>", "from oauth exchange (overrides --from)")
          .option("--from <file>", FROM_HELP)
          .option("--lang <lang>", "zh_CN, zh_TW or en", "zh_CN"),
      async (client, o) => {
        const { accessToken, openid } = await accessPair(cli, o);
        return client.userInfo(accessToken, openid, o.lang);
      },
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & TokenPrinting & { refreshToken: string }>(
      cli,
      "refresh",
      "renew an access token with the refresh token",
      (c) =>
        c.requiredOption("--refresh-token <token>", "from oauth exchange").option("--show-tokens", SHOW_TOKENS_HELP),
      (client, o) => client.refresh(o.refreshToken),
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & { accessToken?: string; openid?: string; from?: string }>(
      cli,
      "check",
      "check an access token is still valid (sns/auth)",
      (c) =>
        c
          .option("--access-token <token>", "the token to check (overrides --from)")
          .option("--openid <openid>", "its openid (overrides --from)")
          .option("--from <file>", FROM_HELP),
      async (client, o) => {
        const { accessToken, openid } = await accessPair(cli, o);
        return client.checkToken(accessToken, openid);
      },
    ),
  );
  return withExamples(command, [
    "WXDEV_APP_SECRET=… wxdev oauth exchange --code 061aBc…",
    "wxdev oauth exchange --code 061aBc… --json | wxdev oauth userinfo --from -",
    "wxdev oauth userinfo --access-token T --openid o… --api-base http://127.0.0.1:9000",
    "wxdev oauth refresh --refresh-token R",
    "wxdev oauth check --access-token T --openid o…",
  ]);
}
