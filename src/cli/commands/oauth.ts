import { Command } from "commander";
import { mask } from "../../core/config.js";
import type { OAuthClient } from "../../core/oauth/client.js";
import { required, type Cli } from "../context.js";
import { withExamples } from "../help.js";
import { settingOption } from "../options.js";

interface ApiOptions {
  appId?: string;
  apiBase?: string;
}

async function clientFor(cli: Cli, self: Command, options: ApiOptions, needSecret: boolean): Promise<OAuthClient> {
  const { settings } = cli.settings(self, { appId: options.appId, apiBase: options.apiBase });
  const { OAuthClient } = await import("../../core/oauth/client.js");
  const appSecret = needSecret ? required(settings, "appSecret") : undefined;
  return new OAuthClient({
    appId: required(settings, "appId"),
    appSecret,
    apiBase: settings.apiBase,
  });
}

function apiCommand<T extends ApiOptions>(
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
      if (out.json) return out.printJson(result);
      out.table(
        Object.entries(result).map(([key, value]) => [
          key,
          /token$/.test(key) ? mask(String(value)) : typeof value === "string" ? value : JSON.stringify(value),
        ]),
      );
    });
}

/** `wxdev oauth …`: the four sns API calls of web authorisation. */
export function oauthCommand(cli: Cli): Command {
  const command = new Command("oauth");
  command.addCommand(
    apiCommand<ApiOptions & { code: string }>(
      cli,
      "exchange",
      "exchange the redirect's code for an access token (app secret from WXDEV_APP_SECRET)",
      (c) =>
        c
          .requiredOption("--code <code>", "the code from the redirect")
          .addHelpText(
            "after",
            "\nThe table masks the tokens; --json prints the tokens in full (that is how scripts get them)," +
              " so keep that output private.",
          ),
      (client, o) => client.exchangeCode(o.code),
      true,
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & { accessToken: string; openid: string; lang: string }>(
      cli,
      "userinfo",
      "fetch the user's profile (needs a snsapi_userinfo token)",
      (c) =>
        c
          .requiredOption("--access-token <token>", "from oauth exchange")
          .requiredOption("--openid <openid>", "from oauth exchange")
          .option("--lang <lang>", "zh_CN, zh_TW or en", "zh_CN"),
      (client, o) => client.userInfo(o.accessToken, o.openid, o.lang),
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & { refreshToken: string }>(
      cli,
      "refresh",
      "renew an access token with the refresh token",
      (c) => c.requiredOption("--refresh-token <token>", "from oauth exchange"),
      (client, o) => client.refresh(o.refreshToken),
    ),
  );
  command.addCommand(
    apiCommand<ApiOptions & { accessToken: string; openid: string }>(
      cli,
      "check",
      "check an access token is still valid (sns/auth)",
      (c) =>
        c
          .requiredOption("--access-token <token>", "the token to check")
          .requiredOption("--openid <openid>", "its openid"),
      (client, o) => client.checkToken(o.accessToken, o.openid),
    ),
  );
  return withExamples(command, [
    "WXDEV_APP_SECRET=… wxdev oauth exchange --code 061aBc…",
    "wxdev oauth userinfo --access-token T --openid o… --api-base http://127.0.0.1:9000",
    "wxdev oauth refresh --refresh-token R",
    "wxdev oauth check --access-token T --openid o…",
  ]);
}
