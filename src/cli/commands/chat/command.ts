import { Command } from "commander";
import type { ExchangeResult } from "../../../core/client/exchange.js";
import type { Target } from "../../../core/client/target.js";
import type { MessageHeader } from "../../../core/wire/messages.js";
import { CHAT_HELP, type ChatAction, parseChatLine } from "./line.js";
import type { Cli } from "../../context.js";
import { withExamples } from "../../help.js";
import { onStop } from "../../on-stop.js";
import type { Output } from "../../output.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../../messages/target.js";

/** What one line came to: a round trip to print, a remark for the user, or the target in a new mode. */
type LineOutcome =
  | { kind: "exchange"; result: ExchangeResult; mode: string }
  | { kind: "say"; text: string }
  | { kind: "mode"; target: Target };

/** Does what a line asked: builds and sends its message, or switches mode. */
async function runLine(action: ChatAction, target: Target, header: MessageHeader): Promise<LineOutcome | undefined> {
  const { send } = await import("../../../core/client/exchange.js");
  const { withMode } = await import("../../../core/client/target.js");
  const { buildEvent, buildMessage } = await import("../../../core/wire/messages.js");
  switch (action.kind) {
    case "message":
      return {
        kind: "exchange",
        mode: target.mode,
        result: await send(target, buildMessage(action.type, action.fields, header)),
      };
    case "event":
      return {
        kind: "exchange",
        mode: target.mode,
        result: await send(target, buildEvent(action.event, action.fields, header)),
      };
    case "mode":
      return { kind: "mode", target: withMode(target, action.mode) };
    case "say":
      return action;
    default:
      return undefined;
  }
}

/**
 * Prints one line's outcome. --json: stdout holds one JSON line per exchange (as simulate --json prints
 * it) and nothing else; the prompt, the typed echo and the chatter go to stderr.
 */
async function printLine(cli: Cli, out: Output, outcome: LineOutcome): Promise<void> {
  const { exchangeJson, renderExchange } = await import("../../messages/render.js");
  if (outcome.kind === "exchange") {
    if (out.json) cli.io.stdout.write(`${JSON.stringify(exchangeJson(outcome.result))}\n`);
    else renderExchange(out, outcome.result, outcome.mode);
  } else {
    say(cli, out, out.c.dim(outcome.kind === "say" ? outcome.text : `mode is now ${outcome.target.mode}`));
  }
}

function say(cli: Cli, out: Output, text: string): void {
  if (out.json) cli.io.stderr.write(`${text}\n`);
  else out.line(text);
}

async function chat(cli: Cli, out: Output, target: Target, from: string | undefined): Promise<void> {
  const { createInterface } = await import("node:readline/promises");
  const { randomOpenId } = await import("../../../core/wire/messages.js");
  const header: MessageHeader = { fromUserName: from ?? randomOpenId(), toUserName: "gh_wxdevchat001" };
  let current = target;
  const rl = createInterface({
    input: cli.io.stdin,
    output: out.json ? cli.io.stderr : cli.io.stdout,
    terminal: cli.io.stdin.isTTY === true,
  });
  // Ctrl-C ends a chat as /quit does (exit 0): readline's key on a terminal, the signal with piped input.
  const quit = (): void => rl.close();
  rl.on("SIGINT", quit);
  const stop = onStop({ terminate: false });
  stop.whenStopped(quit);
  say(
    cli,
    out,
    `chatting with ${target.url} as ${header.fromUserName} (${current.mode} mode). ${out.c.dim(CHAT_HELP)}`,
  );
  rl.setPrompt(out.json ? "" : out.c.cyan("you> "));
  rl.prompt();
  for await (const line of rl) {
    const action = parseChatLine(line, target.crypto !== undefined);
    if (action.kind === "quit") break;
    try {
      const outcome = await runLine(action, current, header);
      if (outcome?.kind === "mode") current = outcome.target;
      if (outcome !== undefined) await printLine(cli, out, outcome);
    } catch (error) {
      out.error((error as Error).message); // a bad command ends this line, not the chat
    }
    rl.prompt();
  }
  stop.dispose();
  rl.close();
  say(cli, out, out.c.dim("bye"));
}

/** `wxdev chat`: talk to a server line by line, as a follower would from the phone. */
export function chatCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("chat"))
    .option("--from <openid>", "sender openid (default: a random one, kept for the session)")
    .action(async (options: TargetFlags & { from?: string }, self: Command) => {
      await chat(cli, cli.output(self), await resolveTarget(cli, self, options), options.from);
    });
  return withExamples(command, ["wxdev chat --url http://127.0.0.1:8013/wechat8013", "wxdev chat --mode safe"]);
}
