import { CHECKED_EVENTS, MESSAGE_TYPES } from "../../../core/wire/message-tables.js";
import { MODES, type Mode } from "../../../core/wire/modes.js";
import { didYouMean } from "../../../core/support/suggest.js";
import { takesArguments } from "../../messages/message-flags.js";

/** The types a slash command sends with their samples: all but those typed as words (text). */
export const SLASH_TYPES = MESSAGE_TYPES.filter((type) => !takesArguments(type));

const EVENT_USAGE = `usage: /event ${CHECKED_EVENTS.map((event) => event.toLowerCase()).join("|")} [key]`;

/** What one typed line asks for. */
export type ChatAction =
  | { kind: "quit" }
  | { kind: "nothing" }
  | { kind: "message"; type: string; fields: Record<string, string> }
  | { kind: "event"; event: string; fields: Record<string, string> }
  | { kind: "mode"; mode: Mode }
  | { kind: "say"; text: string };

/** One slash command: how /help shows it, and what it does with the words after it. */
interface SlashCommand {
  usage: string;
  run(args: string[], canEncrypt: boolean): ChatAction;
}

function eventAction([event, key]: string[]): ChatAction {
  if (event === undefined) return { kind: "say", text: EVENT_USAGE };
  return { kind: "event", event, fields: key === undefined ? {} : { EventKey: key } };
}

function modeAction([name]: string[], canEncrypt: boolean): ChatAction {
  const mode = MODES.find((known) => known === name);
  if (mode === undefined) return { kind: "say", text: "usage: /mode plain|compat|safe" };
  if (mode !== "plain" && !canEncrypt)
    return { kind: "say", text: "safe and compat mode need --aes-key and --app-id (or WXDEV_AES_KEY, WXDEV_APP_ID)" };
  return { kind: "mode", mode };
}

const quit = (): ChatAction => ({ kind: "quit" });

/** Every slash command: the parser looks commands up here and /help lists this table, so the two cannot drift. */
const SLASH_COMMANDS: ReadonlyMap<string, SlashCommand> = new Map<string, SlashCommand>([
  ...SLASH_TYPES.map((type): [string, SlashCommand] => [
    type,
    { usage: `/${type}`, run: () => ({ kind: "message", type, fields: {} }) },
  ]),
  ["event", { usage: "/event <name> [key]", run: eventAction }],
  ["mode", { usage: `/mode ${MODES.join("|")}`, run: modeAction }],
  ["help", { usage: "/help", run: () => ({ kind: "say", text: CHAT_HELP }) }],
  ["quit", { usage: "/quit", run: quit }],
  ["exit", { usage: "/exit", run: quit }],
]);

/** chat's one-line help, shown at the start and for /help. */
export const CHAT_HELP = `type a message, or ${[...SLASH_COMMANDS.values()].map(({ usage }) => usage).join(", ")}`;

/** Reads one typed line (pure): text is a text message, `/…` a command. `canEncrypt`: a key is configured. */
export function parseChatLine(raw: string, canEncrypt: boolean): ChatAction {
  const line = raw.trim();
  if (line === "") return { kind: "nothing" };
  if (!line.startsWith("/")) return { kind: "message", type: "text", fields: { Content: line } };
  const [word = "", ...rest] = line.slice(1).split(/\s+/);
  const command = SLASH_COMMANDS.get(word);
  if (command !== undefined) return command.run(rest, canEncrypt);
  if (takesArguments(word))
    return { kind: "say", text: `unknown command /${word} (no command needed: type the ${word})` };
  return {
    kind: "say",
    text: `unknown command /${word}${didYouMean(word, [...SLASH_COMMANDS.keys()], "/")} (type /help)`,
  };
}
