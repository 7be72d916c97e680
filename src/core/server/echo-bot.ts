import { textReply } from "../messages.js";
import type { XmlRecord } from "../xml.js";

/** What the reference server answers: a reply record, or null for "success" (no reply). */
export type Bot = (message: XmlRecord) => XmlRecord | null;

export interface EchoBotOptions {
  /** Text for every message type the bot does not echo (the seed's `i love him`). */
  fallback?: string;
  /** Text answering a subscribe event. */
  welcome?: string;
}

export const DEFAULT_FALLBACK = "i love him";
export const DEFAULT_WELCOME = "Welcome! Send me any text and I will say it back.";

/**
 * The seed's echo bot: text → the same text; subscribe → welcome; unsubscribe → no reply;
 * others → fallback.
 */
export function echoBot(options: EchoBotOptions = {}): Bot {
  const fallback = options.fallback ?? DEFAULT_FALLBACK;
  const welcome = options.welcome ?? DEFAULT_WELCOME;
  return (message) => {
    if (message.MsgType === "text") return textReply(message, String(message.Content ?? ""));
    if (message.MsgType === "event") {
      const event = String(message.Event ?? "").toLowerCase();
      if (event === "subscribe") return textReply(message, welcome);
      if (event === "unsubscribe") return null;
    }
    return textReply(message, fallback);
  };
}
