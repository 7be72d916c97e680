import { describe, expect, it } from "vitest";
import { DEFAULT_FALLBACK, DEFAULT_WELCOME, echoBot } from "../../src/core/server/echo-bot.js";
import { buildEvent } from "../../src/core/wire/messages.js";
import { EVENT_TYPES, isNotification } from "../../src/core/wire/message-tables.js";

const bot = echoBot();
const from = { ToUserName: "gh_1", FromUserName: "o1", CreateTime: "1" };

describe("serve's echo bot", () => {
  it.each(["text", "TEXT", "Text"])("echoes a %s message: MsgType matched in any case, as Event is", (type) => {
    expect(bot({ ...from, MsgType: type, Content: "hi" })).toMatchObject({ MsgType: "text", Content: "hi" });
  });

  it.each([
    ["event", "subscribe", DEFAULT_WELCOME],
    ["EVENT", "SUBSCRIBE", DEFAULT_WELCOME],
    ["event", "CLICK", DEFAULT_FALLBACK],
    ["Event", "scancode_push", DEFAULT_FALLBACK],
  ])("answers MsgType %s Event %s with a text", (type, event, content) => {
    expect(bot({ ...from, MsgType: type, Event: event })).toMatchObject({ Content: content });
  });

  it.each(["unsubscribe", "UNSUBSCRIBE", "TEMPLATESENDJOBFINISH", "templatesendjobfinish", "kf_close_session"])(
    "answers %s with success (no reply)",
    (event) => {
      expect(bot({ ...from, MsgType: "event", Event: event })).toBeNull();
    },
  );

  it("answers every notification in the table with success, every other event with a text", () => {
    for (const event of EVENT_TYPES) {
      const reply = bot(buildEvent(event));
      if (isNotification(event) || event === "unsubscribe") expect(reply, event).toBeNull();
      else expect(reply?.MsgType, event).toBe("text");
    }
  });
});
