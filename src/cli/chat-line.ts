import { CHECKED_EVENTS, MESSAGE_TYPES } from "../core/message-tables.js";
import { MODES, type Mode } from "../core/modes.js";
import { takesArguments } from "./message-flags.js";

/** The types a slash command sends with their samples: all but those typed as words (text). */
export const SLASH_TYPES = MESSAGE_TYPES.filter((type) => !takesArguments(type));

const EVENT_USAGE = `usage: /event ${CHECKED_EVENTS.map((event) => event.toLowerCase()).join("|")} [key]`;

/** chat's one-line help, shown at the start and for an unknown slash command. */
export const CHAT_HELP =
  `type a message, or ${SLASH_TYPES.map((type) => `/${type}`).join(", ")}, ` +
  "/event <name> [key], /mode plain|compat|safe, /help, /quit";

/** What one typed line asks for. */
export type ChatAction =
  | { kind: "quit" }
  | { kind: "nothing" }
  | { kind: "message"; type: string; fields: Record<string, string> }
  | { kind: "event"; event: string; fields: Record<string, string> }
  | { kind: "mode"; mode: Mode }
  | { kind: "say"; text: string };

/** Reads one typed line (pure): text is a text message, `/…` a command. `canEncrypt`: a key is configured. */
export function parseChatLine(raw: string, canEncrypt: boolean): ChatAction {
  const line = raw.trim();
  if (line === "/quit" || line === "/exit") return { kind: "quit" };
  if (line === "") return { kind: "nothing" };
  if (!line.startsWith("/")) return { kind: "message", type: "text", fields: { Content: line } };
  const [word, ...rest] = line.slice(1).split(/\s+/);
  if (word !== undefined && SLASH_TYPES.includes(word)) return { kind: "message", type: word, fields: {} };
  if (word === "event") {
    const [event, key] = rest;
    if (event === undefined) return { kind: "say", text: EVENT_USAGE };
    return { kind: "event", event, fields: key === undefined ? {} : { EventKey: key } };
  }
  if (word === "mode") {
    const mode = MODES.find((known) => known === rest[0]);
    if (mode === undefined) return { kind: "say", text: "usage: /mode plain|compat|safe" };
    if (mode !== "plain" && !canEncrypt)
      return { kind: "say", text: "safe and compat mode need --aes-key and --app-id (or WXDEV_AES_KEY, WXDEV_APP_ID)" };
    return { kind: "mode", mode };
  }
  return { kind: "say", text: CHAT_HELP };
}
