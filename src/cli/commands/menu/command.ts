import { Command } from "commander";
import type { Cli } from "../../context.js";
import { ExitCode } from "../../exit-code.js";
import { withExamples } from "../../help.js";
import { settingOption } from "../../options.js";
import { clientFor, readMenuFile } from "./access.js";
import { printChanges, printMenu } from "./print.js";

/** `wxdev menu`: the custom menu checked offline, and pushed, pulled, compared or deleted (mock or platform). */
export function menuCommand(cli: Cli): Command {
  const api = (command: Command) =>
    command
      .addOption(settingOption("apiBase"))
      .addOption(settingOption("appId"))
      .addHelpText("after", "\nThe app secret comes from WXDEV_APP_SECRET or the config file (never a flag).");
  const command = new Command("menu");
  command.addCommand(
    new Command("validate")
      .description("check a menu file offline with the platform's rules; names the failing field (exit 1)")
      .argument("<file>", 'the menu JSON: {"button":[…]}')
      .action(async (file: string, _options: unknown, self: Command) => {
        const out = cli.output(self);
        const checked = await readMenuFile(file);
        if (out.json) out.printJson(checked.ok ? { ok: true, menu: checked.menu } : { ok: false, ...checked.problem });
        else if (checked.ok) out.line(`${out.ok("✓")} ${file}: a valid menu (${summary(checked.menu)})`);
        else out.line(`${out.bad("✗")} ${file}: ${checked.message}`);
        cli.exitCode = checked.ok ? ExitCode.Ok : ExitCode.CheckFailed;
      }),
  );
  command.addCommand(
    api(new Command("push"))
      .description("validate a menu file, then make it the menu in force (menu/create)")
      .argument("<file>", "the menu JSON")
      .action(async (file: string, options: { apiBase?: string; appId?: string }, self: Command) => {
        const out = cli.output(self);
        const checked = await readMenuFile(file);
        if (!checked.ok) {
          out.line(`${out.bad("✗")} ${file}: ${checked.message} (not pushed)`);
          cli.exitCode = ExitCode.CheckFailed;
          return;
        }
        const { client, base } = await clientFor(cli, self, options);
        await client.call("/cgi-bin/menu/create", checked.body);
        if (out.json) out.printJson({ ok: true, pushed: checked.menu, apiBase: base });
        else out.line(`${out.ok("✓")} the menu of ${file} is in force on ${base} (${summary(checked.menu)})`);
      }),
  );
  command.addCommand(
    api(new Command("pull"))
      .description("print the menu in force (menu/get); --json prints it as menu/create takes it")
      .action(async (options: { apiBase?: string; appId?: string }, self: Command) => {
        const out = cli.output(self);
        const { client, base } = await clientFor(cli, self, options);
        const menu = await currentMenu(client);
        if (out.json) out.printJson(menu ?? null);
        else if (menu === undefined) out.line(`no menu in force on ${base}`);
        else printMenu(out, menu, base);
      }),
  );
  command.addCommand(
    api(new Command("diff"))
      .description("what pushing a menu file would change in the menu in force")
      .argument("<file>", "the menu JSON")
      .action(async (file: string, options: { apiBase?: string; appId?: string }, self: Command) => {
        const out = cli.output(self);
        const checked = await readMenuFile(file);
        if (checked.body === undefined) {
          out.line(`${out.bad("✗")} ${file}: ${checked.ok ? "" : checked.message}`);
          cli.exitCode = ExitCode.CheckFailed;
          return;
        }
        const { client } = await clientFor(cli, self, options);
        const { diffMenus } = await import("../../../core/platform/menu-diff.js");
        const changes = diffMenus(await currentMenu(client), checked.body);
        if (out.json) out.printJson({ changes, valid: checked.ok });
        else printChanges(out, changes);
        if (!checked.ok) out.line(`${out.bad("✗")} ${file}: ${checked.message}: push would be refused`);
        cli.exitCode = checked.ok ? ExitCode.Ok : ExitCode.CheckFailed;
      }),
  );
  command.addCommand(
    api(new Command("delete"))
      .description("delete the menu in force (menu/delete)")
      .action(async (options: { apiBase?: string; appId?: string }, self: Command) => {
        const out = cli.output(self);
        const { client, base } = await clientFor(cli, self, options);
        await client.call("/cgi-bin/menu/delete");
        if (out.json) out.printJson({ ok: true, deleted: true, apiBase: base });
        else out.line(`${out.ok("✓")} no menu in force on ${base} now`);
      }),
  );
  return withExamples(command, [
    "wxdev menu validate menu.json",
    "wxdev menu push menu.json --api-base http://127.0.0.1:9000",
    "wxdev menu pull --json > menu.json",
    "wxdev menu diff menu.json",
    "wxdev menu delete",
  ]);
}

/** The menu in force as menu/get shows it (its `menu`), or undefined when there is none (46003). */
async function currentMenu(client: import("../../../core/platform/api-client.js").PlatformClient) {
  const { OAuthApiError } = await import("../../../core/oauth/errors.js");
  try {
    return (await client.call("/cgi-bin/menu/get")).menu as Record<string, unknown> | undefined;
  } catch (error) {
    if (error instanceof OAuthApiError && error.errcode === 46003) return undefined;
    throw error;
  }
}

function summary(menu: { button: { sub_button?: unknown[] }[] }): string {
  const subs = menu.button.reduce((sum, button) => sum + (button.sub_button?.length ?? 0), 0);
  const plural = (count: number, word: string) => `${count} ${word}${count === 1 ? "" : "s"}`;
  return `${plural(menu.button.length, "button")}, ${plural(subs, "sub-button")}`;
}
