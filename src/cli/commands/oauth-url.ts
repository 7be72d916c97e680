import { Command, Option } from "commander";
import type { Scope } from "../../core/oauth/authorize-url.js";
import { required, type Cli } from "../context.js";
import { withExamples } from "../help.js";
import { settingOption } from "../options.js";

interface OAuthUrlOptions {
  appId?: string;
  redirectUri: string;
  scope?: Scope;
  state?: string;
  qr?: boolean;
  qrconnect?: boolean;
  callbackDomain?: string;
  base?: string;
}

/** `wxdev oauth-url`: the authorize URL, exactly as documented, with its common traps flagged. */
export function oauthUrlCommand(cli: Cli): Command {
  const command = new Command("oauth-url")
    .addOption(settingOption("appId"))
    .requiredOption("--redirect-uri <uri>", "where WeChat sends the user back, e.g. http://HOST/index")
    .addOption(
      new Option("--scope <scope>", "snsapi_base (silent) or snsapi_userinfo (asks)").choices([
        "snsapi_base",
        "snsapi_userinfo",
        "snsapi_login",
      ]),
    )
    .option("--state <state>", "value returned with the code ([A-Za-z0-9], at most 128)", "")
    .option("--qr", "also draw the URL as a QR code (the page only opens inside WeChat: scan it)")
    .option("--qrconnect", "the website QR-login variant (/connect/qrconnect, snsapi_login)")
    .addOption(settingOption("callbackDomain"))
    .option(
      "--base <url>",
      "authorize host (default https://open.weixin.qq.com; e.g. http://127.0.0.1:9000 for wxdev mock)",
    )
    .action(async (options: OAuthUrlOptions, self: Command) => {
      const out = cli.output(self);
      const { settings } = cli.settings(self, { appId: options.appId, callbackDomain: options.callbackDomain });
      const { authorizeUrl } = await import("../../core/oauth/authorize-url.js");
      const result = authorizeUrl({
        appId: required(settings, "appId"),
        redirectUri: options.redirectUri,
        scope: options.scope,
        state: options.state,
        qrconnect: options.qrconnect,
        callbackDomain: settings.callbackDomain,
        base: options.base,
      });
      if (out.json) return out.printJson(result);
      out.line(result.url);
      for (const warning of result.warnings) out.warn(warning);
      if (options.qr) {
        const { default: qrcode } = await import("qrcode-terminal");
        qrcode.generate(result.url, { small: true }, (art: string) => out.line(art));
        out.note("Scan it with WeChat: the authorize page only opens inside the WeChat client.");
      }
    });
  return withExamples(command, [
    "wxdev oauth-url --redirect-uri http://example.com/index --scope snsapi_userinfo --state abc",
    "wxdev oauth-url --redirect-uri http://127.0.0.1:8013/index --base http://127.0.0.1:9000   # against wxdev mock",
    "wxdev oauth-url --redirect-uri http://example.com/index --qr",
  ]);
}
