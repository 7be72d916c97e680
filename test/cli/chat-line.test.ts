import { describe, expect, it } from "vitest";
import { CHAT_HELP, type ChatAction, parseChatLine, SLASH_TYPES } from "../../src/cli/commands/chat/line.js";

describe("parseChatLine: a typed line → what chat does", () => {
  it.each<[string, boolean, ChatAction]>([
    ["hello there", false, { kind: "message", type: "text", fields: { Content: "hello there" } }],
    ["  padded  ", false, { kind: "message", type: "text", fields: { Content: "padded" } }],
    ["", false, { kind: "nothing" }],
    ["   ", false, { kind: "nothing" }],
    ["/quit", false, { kind: "quit" }],
    ["/exit", false, { kind: "quit" }],
    ["/image", false, { kind: "message", type: "image", fields: {} }],
    ["/location", false, { kind: "message", type: "location", fields: {} }],
    ["/event subscribe", false, { kind: "event", event: "subscribe", fields: {} }],
    ["/event click MENU_1", false, { kind: "event", event: "click", fields: { EventKey: "MENU_1" } }],
    ["/mode plain", false, { kind: "mode", mode: "plain" }],
    ["/mode safe", true, { kind: "mode", mode: "safe" }],
    ["/mode compat", true, { kind: "mode", mode: "compat" }],
    ["/help", false, { kind: "say", text: CHAT_HELP }],
    ["/video", false, { kind: "message", type: "video", fields: {} }],
    ["/text", false, { kind: "say", text: "unknown command /text (no command needed: type the text)" }],
    ["/sticker", false, { kind: "say", text: "unknown command /sticker (type /help)" }],
    ["/foo", false, { kind: "say", text: "unknown command /foo (type /help)" }],
    ["/imgae", false, { kind: "say", text: "unknown command /imgae (did you mean /image?) (type /help)" }],
  ])("%j (key: %s)", (line, canEncrypt, action) => {
    expect(parseChatLine(line, canEncrypt)).toEqual(action);
  });

  it.each<[string, boolean, RegExp]>([
    ["/event", false, /^usage: \/event subscribe\|.*\[key\]$/],
    ["/mode", false, /^usage: \/mode plain\|compat\|safe$/],
    ["/mode loud", false, /^usage: \/mode/],
    ["/mode safe", false, /safe and compat mode need --aes-key and --app-id/],
  ])("%j (key: %s) answers with a remark", (line, canEncrypt, text) => {
    const action = parseChatLine(line, canEncrypt);
    expect(action.kind).toBe("say");
    expect(action.kind === "say" && action.text).toMatch(text);
  });

  it("/help lists every command the parser takes, and each one listed works", () => {
    const listed = [...CHAT_HELP.matchAll(/\/(\w+)/g)].map((match) => match[1] ?? "");
    expect(listed).toEqual(expect.arrayContaining([...SLASH_TYPES, "video", "event", "mode", "help", "quit"]));
    for (const word of listed) {
      const action = parseChatLine(`/${word} subscribe`, true);
      expect(action.kind === "say" ? action.text : "").not.toMatch(/unknown command/);
    }
  });

  it("offers every type but text as a slash command", () => {
    expect(SLASH_TYPES).not.toContain("text");
    expect(CHAT_HELP).toContain(SLASH_TYPES.map((type) => `/${type}`).join(", "));
  });
});
