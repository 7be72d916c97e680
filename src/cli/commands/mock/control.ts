import { Command } from "commander";
import type { ExchangeResult } from "../../../core/client/exchange.js";
import { CheckFailedError, InputError } from "../../../core/support/errors.js";
import { redactSecrets } from "../../../core/support/redact.js";
import type { Cli } from "../../context.js";
import { exitCodeFor } from "../../exit-code.js";
import { settingOption } from "../../options.js";
import type { Output } from "../../output.js";

const DEFAULT_MOCK = "http://127.0.0.1:9000";

/** POSTs one control request to a running mock (its /_wxdev/ endpoints answer this machine only). */
async function control(base: string, name: string, body: unknown): Promise<Record<string, unknown>> {
  const url = `${base.replace(/\/+$/, "")}/_wxdev/${name}`;
  let response: Response;
  try {
    response = await fetch(url, {
      method: "POST",
      body: JSON.stringify(body),
      headers: { "Content-Type": "application/json" },
      signal: AbortSignal.timeout(30_000),
    });
  } catch (cause) {
    throw new InputError(`no wxdev mock answers at ${redactSecrets(base)}`, {
      hint: "start one with `wxdev mock` (in another terminal), or name it with --api-base",
      cause,
    });
  }
  const text = await response.text();
  let json: Record<string, unknown>;
  try {
    json = JSON.parse(text) as Record<string, unknown>;
  } catch {
    throw new InputError(`${redactSecrets(base)} is not a wxdev mock (HTTP ${response.status} to ${name})`, {
      hint: "name the mock with --api-base, e.g. http://127.0.0.1:9000",
    });
  }
  if (!response.ok) throw new CheckFailedError(`the mock refused: ${String(json.error ?? response.status)}`);
  return json;
}

/** Prints a push the mock made (the exchange judged as `simulate` does) and sets the exit code by its verdict. */
async function printPush(cli: Cli, out: Output, answer: Record<string, unknown>): Promise<void> {
  if (out.json) out.printJson(answer);
  if (answer.pushed !== true) {
    if (!out.json) out.line(`${String(answer.openid)}: ${String(answer.reason)}`);
    return;
  }
  const exchange = answer.exchange as ExchangeResult;
  if (!out.json) {
    const { renderExchange } = await import("../../messages/render.js");
    renderExchange(out, exchange, String(answer.mode));
  }
  cli.exitCode = exitCodeFor(exchange.ok);
}

/** A control subcommand: its arguments make the request's body; the answer is printed. */
function controlCommand(
  cli: Cli,
  name: string,
  description: string,
  build: (command: Command) => Command,
  request: (args: string[], options: Record<string, unknown>) => { endpoint: string; body: unknown },
  print: (out: Output, answer: Record<string, unknown>) => Promise<void> | void,
): Command {
  return build(new Command(name).description(description))
    .addOption(settingOption("apiBase", `the running mock (default ${DEFAULT_MOCK})`))
    .action(async (...received: unknown[]) => {
      const self = received.at(-1) as Command;
      const options = self.opts<Record<string, unknown>>();
      const out = cli.output(self);
      const { settings } = cli.settings(self, { apiBase: options.apiBase as string | undefined });
      const { endpoint, body } = request(self.args, options);
      await print(out, await control(settings.apiBase ?? DEFAULT_MOCK, endpoint, body));
    });
}

/** The subcommands that drive a running mock: a follower's actions, and its clock. */
export function controlCommands(cli: Cli): Command[] {
  const push = (out: Output, answer: Record<string, unknown>) => printPush(cli, out, answer);
  const openid = (command: Command) => command.option("--openid <openid>", "the user (default: a new one)");
  const follower = (command: Command) =>
    command.option("--openid <openid>", "the follower (default: the first fixture follower)");
  return [
    controlCommand(
      cli,
      "scan",
      "a user scans a QR code (qrcode/create's ticket): subscribe with qrscene_… for a new follower, SCAN for one",
      (c) => openid(c.argument("<ticket>", "the ticket qrcode/create answered")),
      ([ticket], o) => ({ endpoint: "scan", body: { ticket, openid: o.openid } }),
      push,
    ),
    controlCommand(
      cli,
      "follow",
      "a user follows the account (subscribe)",
      openid,
      (_a, o) => ({
        endpoint: "follow",
        body: { openid: o.openid },
      }),
      push,
    ),
    controlCommand(
      cli,
      "unfollow",
      "a follower unfollows (unsubscribe)",
      (c) => c.requiredOption("--openid <openid>", "the follower"),
      (_a, o) => ({ endpoint: "unfollow", body: { openid: o.openid } }),
      push,
    ),
    controlCommand(
      cli,
      "say",
      "a follower sends a text message (opens the customer-service window: 5 messages in 48 h)",
      (c) => follower(c.argument("<text>", "what the follower writes")),
      ([text], o) => ({ endpoint: "message", body: { openid: o.openid, message: "text", fields: { Content: text } } }),
      push,
    ),
    controlCommand(
      cli,
      "click",
      "a follower clicks a menu button (CLICK with its key; opens the window: 3 messages in 1 minute)",
      (c) => follower(c.argument("<key>", "the button's key")),
      ([key], o) => ({ endpoint: "message", body: { openid: o.openid, event: "CLICK", fields: { EventKey: key } } }),
      push,
    ),
    controlCommand(
      cli,
      "advance",
      "move the mock's clock forward (token expiry, the 5-minute overlap, windows, media life, quotas)",
      (c) => c.argument("<duration>", "e.g. 5m, 2h, 3d, 1h30m"),
      ([duration]) => ({ endpoint: "clock", body: { advance: duration } }),
      (out, answer) => (out.json ? out.printJson(answer) : out.line(`the mock's clock is now ${String(answer.now)}`)),
    ),
    controlCommand(
      cli,
      "template",
      "add a template as the 测试号 page does (title and content with {{key.DATA}} keywords)",
      (c) => c.argument("<title>").argument("<content>", 'e.g. "时间：{{time1.DATA}}\\n地点：{{thing2.DATA}}"'),
      ([title, content]) => ({ endpoint: "template", body: { title, content: content?.replace(/\\n/g, "\n") } }),
      (out, answer) =>
        out.json
          ? out.printJson(answer)
          : out.line(`template_id ${String(answer.template_id)} (${String(answer.title)})`),
    ),
  ];
}
