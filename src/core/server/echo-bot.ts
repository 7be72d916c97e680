import { isNotification } from "../wire/message-tables.js";
import { textReply } from "../wire/messages.js";
import type { XmlRecord } from "../wire/xml.js";

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
 * The seed's echo bot: text → the same text; subscribe → welcome; unsubscribe and notifications
 * (job finished, session opened…: WeChat ignores any reply) → no reply; others → fallback.
 * MsgType and Event are matched in any case, as WeChat's own spelling varies (SCAN, location_select).
 */
export function echoBot(options: EchoBotOptions = {}): Bot {
  const fallback = options.fallback ?? DEFAULT_FALLBACK;
  const welcome = options.welcome ?? DEFAULT_WELCOME;
  return (message) => {
    const type = String(message.MsgType ?? "").toLowerCase();
    if (type === "text") return textReply(message, String(message.Content ?? ""));
    if (type === "event") {
      const event = String(message.Event ?? "");
      if (event.toLowerCase() === "subscribe") return textReply(message, welcome);
      if (event.toLowerCase() === "unsubscribe" || isNotification(event)) return null;
    }
    return textReply(message, fallback);
  };
}
