import { Command, Option } from "commander";
import { callbackPath } from "../../core/config/class-account.js";
import { mask } from "../../core/support/redact.js";
import { InputError } from "../../core/support/errors.js";
import { DEFAULT_INDEX_PATH } from "../../core/oauth/index-page.js";
import type { Mode } from "../../core/wire/modes.js";
import type { Settings } from "../../core/config/settings.js";
import { required, type Cli } from "../context.js";
import { addCryptoOptions, type CryptoFlags } from "../messages/crypto-options.js";
import { withExamples } from "../help.js";
import { parseSeconds, portParser, settingOption } from "../options.js";
import { onStop } from "../on-stop.js";
import type { Output } from "../output.js";
import { exchangeLine, recordJson } from "../exchanges/line.js";
import { type InspectFlag, inspectOption, type OpenInspector } from "../exchanges/inspector.js";

interface ServeOptions extends CryptoFlags {
  host: string;
  port: number;
  path: string;
  indexPath: string;
  mode?: Mode;
  fallback?: string;
  welcome?: string;
  apiBase?: string;
  maxAge?: number;
  inspect?: InspectFlag;
}

/** --inspect: the page of serve's exchanges; Replay sends to serve itself. */
async function inspectServe(out: Output, flag: InspectFlag, url: string, settings: Settings): Promise<OpenInspector> {
  const { openInspector, replayTarget } = await import("../exchanges/inspector.js");
  const replay = await replayTarget(settings, url);
  return openInspector(out, { flag, title: `wxdev serve ${url}`, settings, ...replay });
}

/** The OAuth page needs a path of its own: starting with /, and not the callback path. */
function checkIndexPath(indexPath: string, path: string): void {
  if (!indexPath.startsWith("/"))
    throw new InputError(`--index-path ${JSON.stringify(indexPath)} does not start with /`, {
      hint: `e.g. --index-path ${path}/index`,
    });
  if (indexPath === path)
    throw new InputError(`--index-path is the callback path ${path}: the OAuth page needs a path of its own`, {
      hint: `e.g. --index-path ${path}/index`,
    });
}

/** `wxdev serve`: the reference echo-bot server. */
export function serveCommand(cli: Cli): Command {
  const command = addCryptoOptions(new Command("serve"))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(
      new Option("--port <port>", "port to listen on (0 = any free port)").argParser(portParser()).default(8013),
    )
    .option("--path <path>", "callback path", callbackPath(8013))
    .option(
      "--index-path <path>",
      "path of the OAuth page (e.g. /wechat8013/index: behind the class's nginx only /wechat8013[/…] reaches you)",
      DEFAULT_INDEX_PATH,
    )
    .addOption(settingOption("mode"))
    .option("--fallback <text>", "reply to message types the bot does not echo", "i love him")
    .option("--welcome <text>", "reply to a subscribe event")
    .addOption(
      new Option(
        "--max-age <seconds>",
        "refuse POSTs whose timestamp is further than this from the clock (default 300; 0 = no limit)",
      ).argParser(parseSeconds),
    )
    .addOption(
      settingOption(
        "apiBase",
        "OAuth API base for the /index page (default the real one; e.g. http://127.0.0.1:9000 for wxdev mock)",
      ),
    )
    .addOption(inspectOption())
    .addHelpText("after", "\nWith --json, prints one JSON object per exchange (one per line) instead of log lines.")
    .action(async (options: ServeOptions, self: Command) => {
      const { createWechatServer } = await import("../../core/server/http.js");
      const { createIndexPage } = await import("../../core/oauth/index-page.js");
      const out = cli.output(self);
      const log = out.batchedLines();
      const { settings } = cli.settings(self, { ...options });
      const token = required(settings, "token");
      const { mode } = settings;
      checkIndexPath(options.indexPath, options.path);
      let inspector: OpenInspector | undefined;
      const running = await createWechatServer({
        host: options.host,
        port: options.port,
        path: options.path,
        mode,
        token,
        aesKey: settings.aesKey,
        appId: settings.appId,
        fallback: options.fallback,
        welcome: options.welcome,
        maxAgeSeconds: options.maxAge,
        // The seed's web side: GET /index?code=… (web authorisation), with the app secret from env/config only.
        extraHandler: createIndexPage({
          appId: settings.appId,
          appSecret: settings.appSecret,
          apiBase: settings.apiBase,
          path: options.indexPath,
        }),
        onExchange: (exchange) => {
          log.line(out.json ? recordJson(exchange) : exchangeLine(out, exchange));
          inspector?.log.add(exchange, "serve");
        },
      }).listen();
      const index = `${new URL(running.url).origin}${options.indexPath}`;
      if (out.json) {
        out.line(JSON.stringify({ listening: running.url, mode, index }));
      } else {
        out.line(`wxdev serve: listening on ${out.c.bold(running.url)} (${mode} mode, token ${mask(token)})`);
        if (settings.appId && settings.appSecret)
          out.line(out.c.dim(`OAuth page: ${index} (the redirect_uri; behind nginx, the public host and this path)`));
      }
      if (options.inspect !== undefined)
        inspector = await inspectServe(out, options.inspect, running.url, settings).catch(async (error) => {
          await running.close(); // a busy inspector port ends the run: the server must not outlive it
          throw error;
        });
      if (!out.json) out.line(out.c.dim("Press Ctrl-C to stop."));
      await onStop().stopped;
      await inspector?.close();
      await running.close();
      log.flush();
      if (!out.json) out.note("wxdev serve: stopped");
    });
  return withExamples(command, [
    "WXDEV_TOKEN=mytoken wxdev serve",
    "wxdev serve --port 8013 --path /wechat8013 --mode safe   # key and appId from WXDEV_AES_KEY / WXDEV_APP_ID",
    "wxdev serve --port 0 --json",
    "wxdev serve --mode safe --inspect   # each exchange on http://127.0.0.1:4040/, decrypted",
    "wxdev serve --path /wechat8013 --index-path /wechat8013/index   # the OAuth page behind the class's nginx",
  ]);
}
