import { Command } from "commander";
import { CHECKED_EVENTS, MESSAGE_TYPES } from "../../core/message-tables.js";
import type { MessageHeader } from "../../core/messages.js";
import { MODES, type Mode } from "../../core/modes.js";
import type { XmlRecord } from "../../core/xml.js";
import type { Cli } from "../context.js";
import { withExamples } from "../help.js";
import { takesArguments } from "../message-flags.js";
import { addTargetOptions, resolveTarget, type TargetFlags } from "../target.js";

/** The types a slash command sends with their samples: all but those typed as words (text). */
const SLASH_TYPES = MESSAGE_TYPES.filter((type) => !takesArguments(type));

const EVENT_USAGE = `usage: /event ${CHECKED_EVENTS.map((event) => event.toLowerCase()).join("|")} [key]`;

const HELP =
  `type a message, or ${SLASH_TYPES.map((type) => `/${type}`).join(", ")}, ` +
  "/event <name> [key], /mode plain|compat|safe, /help, /quit";

/** `wxdev chat`: talk to a server line by line, as a follower would from the phone. */
export function chatCommand(cli: Cli): Command {
  const command = addTargetOptions(new Command("chat"))
    .option("--from <openid>", "sender openid (default: a random one, kept for the session)")
    .action(async (options: TargetFlags & { from?: string }, self: Command) => {
      const out = cli.output(self);
      const target = await resolveTarget(cli, self, options);
      const { createInterface } = await import("node:readline/promises");
      const { send } = await import("../../core/client/exchange.js");
      const { withMode } = await import("../../core/client/target.js");
      const { buildEvent, buildMessage, randomOpenId } = await import("../../core/messages.js");
      const { exchangeJson, renderExchange } = await import("../render.js");
      const header: MessageHeader = { fromUserName: options.from ?? randomOpenId(), toUserName: "gh_wxdevchat001" };
      let current = target;

      const toMessage = (line: string): XmlRecord | string => {
        const [word, ...rest] = line.slice(1).split(/\s+/);
        if (word !== undefined && SLASH_TYPES.includes(word)) return buildMessage(word, {}, header);
        switch (word) {
          case "event":
            if (rest[0] === undefined) return EVENT_USAGE;
            return buildEvent(rest[0], rest[1] === undefined ? {} : { EventKey: rest[1] }, header);
          case "mode":
            if (!(MODES as readonly string[]).includes(rest[0] ?? "")) return "usage: /mode plain|compat|safe";
            if (rest[0] !== "plain" && target.crypto === undefined)
              return "safe and compat mode need --aes-key and --app-id (or WXDEV_AES_KEY, WXDEV_APP_ID)";
            current = withMode(target, rest[0] as Mode);
            return `mode is now ${current.mode}`;
          default:
            return HELP;
        }
      };

      // --json: stdout holds one JSON line per exchange (as simulate --json prints it) and
      // nothing else; the prompt, the typed echo and the chatter go to stderr.
      const rl = createInterface({
        input: cli.io.stdin,
        output: out.json ? cli.io.stderr : cli.io.stdout,
        terminal: cli.io.stdin.isTTY === true,
      });
      const say = (text: string): void => void (out.json ? cli.io.stderr.write(`${text}\n`) : out.line(text));
      say(`chatting with ${target.url} as ${header.fromUserName} (${current.mode} mode). ${out.c.dim(HELP)}`);
      rl.setPrompt(out.json ? "" : out.c.cyan("you> "));
      rl.prompt();
      for await (const raw of rl) {
        const line = raw.trim();
        if (line === "/quit" || line === "/exit") break;
        if (line !== "") {
          try {
            const message = line.startsWith("/") ? toMessage(line) : buildMessage("text", { Content: line }, header);
            if (typeof message === "string") {
              say(out.c.dim(message));
            } else {
              const result = await send(current, message);
              if (out.json) cli.io.stdout.write(`${JSON.stringify(exchangeJson(result))}\n`);
              else renderExchange(out, result, current.mode);
            }
          } catch (error) {
            out.error((error as Error).message); // a bad command ends this line, not the chat
          }
        }
        rl.prompt();
      }
      rl.close();
      say(out.c.dim("bye"));
    });
  return withExamples(command, ["wxdev chat --url http://127.0.0.1:8013/wechat8013", "wxdev chat --mode safe"]);
}
