import { Command, Option } from "commander";
import { mask } from "../../../core/support/redact.js";
import type { Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import { describeSource, portParser, settingOption } from "../../options.js";
import { onStop } from "../../on-stop.js";
import { addTargetOptions, type TargetFlags } from "../../messages/target.js";
import { controlCommands } from "./control.js";
import { logEvents, logRequest } from "./log.js";
import { type InspectFlag, inspectOption, type OpenInspector } from "../../exchanges/inspector.js";
import type { Settings } from "../../../core/config/settings.js";
import type { Target } from "../../../core/client/target.js";
import type { PlatformStore } from "../../../core/platform/store.js";
import type { Output } from "../../output.js";

interface MockOptions extends TargetFlags {
  host: string;
  port: number;
  callbackDomain?: string;
  state?: string;
  advance?: string;
  inspect?: InspectFlag;
}

/** `wxdev mock`: the platform offline (API, pushes to the app, web authorisation); its subcommands drive it. */
export function mockCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("mock"))
    .option("--host <host>", "address to listen on", "127.0.0.1")
    .addOption(new Option("--port <port>", "port to listen on").argParser(portParser()).default(9000))
    .addOption(settingOption("callbackDomain"))
    .option("--state <file>", "keep the account (menu, followers, media, templates, quotas) in this file")
    .option("--advance <duration>", "start with the mock's clock this far ahead (e.g. 2h, 90m, 3d)")
    .addOption(inspectOption())
    .addHelpText(
      "after",
      "\nThe app secret comes from WXDEV_APP_SECRET or the config file; without one the mock makes a throwaway" +
        "\nsecret and prints it. With a url (--url, WXDEV_URL or the config file) the mock pushes events to the" +
        "\napp as WeChat does (signed with the Token, encrypted in safe/compat mode) and judges each answer.",
    )
    .action(async (options: MockOptions, self: Command) => {
      const out = cli.output(self);
      const { settings, sources } = cli.settings(self, options);
      const { createMockPlatform, generateMockSecret } = await import("../../../core/platform/server.js");
      const { PlatformStore } = await import("../../../core/platform/store.js");
      const appId = settings.appId ?? "wxdevmock";
      const generated = settings.appSecret === undefined;
      const appSecret = settings.appSecret ?? generateMockSecret();
      const push = settings.url === undefined ? undefined : await resolvePush(cli, self, options);
      const store = new PlatformStore(appId);
      const writer = options.state === undefined ? undefined : await openState(options.state, store, out);
      const advanceMs =
        options.advance === undefined
          ? undefined
          : (await import("../../../core/platform/clock.js")).parseDuration(options.advance);
      logEvents(out, store, push?.mode ?? "plain");
      const running = await createMockPlatform({
        host: options.host,
        port: options.port,
        appId,
        appSecret,
        callbackDomain: settings.callbackDomain,
        store,
        advanceMs,
        push,
        onRequest: (line) => logRequest(out, line),
      }).listen();
      const info = {
        listening: running.origin,
        phone: running.phone,
        appId,
        accountId: store.accountId,
        callbackDomain: settings.callbackDomain ?? null,
        pushTo: push?.url ?? null,
        mode: push?.mode ?? null,
        clock: new Date(store.clock.now()).toISOString(),
        state: options.state ?? null,
      };
      if (out.json) out.line(JSON.stringify(info));
      else {
        out.line(
          `wxdev mock: the WeChat platform offline on ${out.c.bold(running.origin)}` +
            ` (appId ${appId}, account ${store.accountId}, callback domain ${settings.callbackDomain ?? "any"})`,
        );
        out.line(`Phone: ${out.c.bold(running.phone)}  (open it in a browser: chat with your app as a follower)`);
        out.line(
          push === undefined
            ? out.c.dim('Pushes: none (give --url, WXDEV_URL or "url" to push events to your app)')
            : `Pushes to ${push.url} (${push.mode} mode, signed with the Token from` +
                ` ${describeSource("token", sources.token)})`,
        );
        out.line(
          out.c.dim(
            options.state === undefined
              ? "State is kept in memory only: the account is back to its start when the mock stops."
              : `State is kept in ${options.state} (without the app secret or tokens).`,
          ),
        );
        const following = [...store.followers.values()].filter((user) => user.subscribed);
        out.line(
          `Followers: ${following
            .slice(0, 3)
            .map((user) => user.openid)
            .join(", ")}${following.length > 3 ? ", …" : ""}`,
        );
        for (const template of store.templates.values())
          out.line(`Template ${template.template_id}: ${template.title}`);
        if (store.clock.offset > 0) out.line(`The mock's clock is ${info.clock} (ahead of this machine's).`);
        // A throwaway secret of the mock's own, not an account's: printing it is how the user learns it.
        if (generated) out.line(`throwaway app secret for this mock: export WXDEV_APP_SECRET=${appSecret}`);
        else out.line(`app secret ${mask(appSecret)} (from ${describeSource("appSecret", sources.appSecret)})`);
        out.line(out.c.dim(`Try: wxdev menu push menu.json --api-base ${running.origin}`));
        out.line(
          out.c.dim(
            `     wxdev oauth-url --app-id ${appId} --redirect-uri http://127.0.0.1:8013/index` +
              ` --scope snsapi_userinfo --base ${running.origin}`,
          ),
        );
        out.line(out.c.dim(`     wxdev mock say hello --api-base ${running.origin}   (a follower writes to your app)`));
      }
      const inspector =
        options.inspect === undefined
          ? undefined
          : await inspectPushes(out, options.inspect, store, { ...settings, appId }, push).catch(async (error) => {
              await running.close(); // a busy inspector port ends the run: the mock must not outlive it
              throw error;
            });
      await onStop().stopped;
      await inspector?.close();
      await running.close();
      await writer?.flush();
    });
  for (const sub of controlCommands(cli)) command.addCommand(sub);
  return withExamples(command, [
    "wxdev mock",
    "WXDEV_APP_ID=wx123 WXDEV_APP_SECRET=s3cret wxdev mock --port 9000 --url http://127.0.0.1:8013/wechat8013",
    "wxdev mock --state account.json --advance 2h",
    "wxdev mock --url http://127.0.0.1:8013/wechat8013 --inspect   # each push on http://127.0.0.1:4040/",
  ]);
}

/** --inspect: the page of the mock's pushes to the app (the phone's messages among them); Replay pushes again. */
async function inspectPushes(
  out: Output,
  flag: InspectFlag,
  store: PlatformStore,
  settings: Settings,
  push: Target | undefined,
): Promise<OpenInspector> {
  const { openInspector } = await import("../../exchanges/inspector.js");
  const { recordOfResult } = await import("../../../core/client/record.js");
  const inspector = await openInspector(out, {
    flag,
    title: `wxdev mock: pushes to ${push?.url ?? "(no app)"}`,
    settings,
    target: push,
    noReplay: 'no app to push to: give --url, WXDEV_URL or "url"',
  });
  store.events.watch((event) => {
    if (event.type === "push" && event.result !== undefined)
      inspector.log.add(recordOfResult(event.result, event.time), "push");
  });
  return inspector;
}

/** The app to push to: the same url, Token, mode and crypto every command resolves. */
async function resolvePush(cli: Cli, self: Command, options: MockOptions) {
  const { resolveTarget } = await import("../../messages/target.js");
  return resolveTarget(cli, self, options);
}

/** Loads the state file into the store (when it exists) and keeps it written after every change. */
async function openState(
  path: string,
  store: import("../../../core/platform/store.js").PlatformStore,
  out: import("../../output.js").Output,
) {
  const { loadState, StateWriter } = await import("../../../core/platform/state-file.js");
  const saved = await loadState(path, store.appId);
  if (saved !== undefined) store.restore(saved);
  const writer = new StateWriter(
    path,
    () => store.snapshot(),
    (error) => out.warn(`cannot write the state file ${path}: ${error.message}`),
  );
  store.onChange = () => writer.changed();
  await writer.flush();
  return writer;
}
