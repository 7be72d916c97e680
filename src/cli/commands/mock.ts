import { Command, Option } from "commander";
import { mask } from "../../core/support/redact.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { describeSource, portParser, settingOption } from "../options.js";
import { clipped, printable, printableJson } from "../printable.js";
import { untilStopped } from "../signals.js";

interface MockOptions {
  host: string;
  port: number;
  appId?: string;
  callbackDomain?: string;
}

/** `wxdev mock`: the platform's web authorisation and JS-SDK ticket, offline. */
export function mockCommand(cli: Cli): Command {
  const command = new Command("mock")
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(new Option("--port <port>", "port to listen on").argParser(portParser()).default(9000))
    .addOption(settingOption("appId", "the appId the mock accepts (or WXDEV_APP_ID; default wxdevmock)"))
    .addOption(settingOption("callbackDomain"))
    .addHelpText(
      "after",
      "\nThe app secret comes from WXDEV_APP_SECRET or the config file;" +
        " without one the mock makes a throwaway secret and prints it.",
    )
    .action(async (options: MockOptions, self: Command) => {
      const out = cli.output(self);
      const { settings, sources } = cli.settings(self, {
        appId: options.appId,
        callbackDomain: options.callbackDomain,
      });
      const { createMockPlatform, generateMockSecret } = await import("../../core/oauth/mock/server.js");
      const appId = settings.appId ?? "wxdevmock";
      const generated = settings.appSecret === undefined;
      const appSecret = settings.appSecret ?? generateMockSecret();
      const running = await createMockPlatform({
        host: options.host,
        port: options.port,
        appId,
        appSecret,
        callbackDomain: settings.callbackDomain,
        onRequest: (line) => {
          // The path and note come from the request (a redirect_uri, an error): bounded, control characters escaped.
          const note = line.note === undefined ? undefined : clipped(line.note, 300);
          if (out.json) out.line(printableJson(JSON.stringify({ ...line, note })));
          else
            out.line(
              `${out.c.dim(new Date().toTimeString().slice(0, 8))} ${line.status} ${printable(line.method)}` +
                ` ${printable(line.path)}${note ? ` ${out.c.dim(printable(note))}` : ""}`,
            );
        },
      }).listen();
      const info = {
        listening: running.origin,
        appId,
        callbackDomain: settings.callbackDomain ?? null,
        state: "in memory: codes and tokens are lost when the mock stops",
      };
      if (out.json) {
        out.line(JSON.stringify(info));
      } else {
        out.line(
          `wxdev mock: WeChat web authorisation on ${out.c.bold(running.origin)}` +
            ` (appId ${appId}, callback domain ${settings.callbackDomain ?? "any"})`,
        );
        out.line(out.c.dim("State is kept in memory only: codes and tokens are gone when it stops."));
        // A throwaway secret of the mock's own, not an account's: printing it is how the user learns it.
        if (generated) out.line(`throwaway app secret for this mock: export WXDEV_APP_SECRET=${appSecret}`);
        else out.line(`app secret ${mask(appSecret)} (from ${describeSource("appSecret", sources.appSecret)})`);
        out.line(
          out.c.dim(
            `Try: wxdev oauth-url --app-id ${appId} --redirect-uri http://127.0.0.1:8013/index` +
              ` --scope snsapi_userinfo --base ${running.origin}`,
          ),
        );
        out.line(out.c.dim(`JS-SDK: wxdev jsapi-sign --fetch --app-id ${appId} --api-base ${running.origin} --url …`));
      }
      await untilStopped(running.close);
    });
  return withExamples(command, [
    "wxdev mock",
    "WXDEV_APP_ID=wx123 WXDEV_APP_SECRET=s3cret wxdev mock --port 9000 --callback-domain 127.0.0.1",
  ]);
}
