import { describe, expect, it } from "vitest";
import { InputError } from "../../src/core/support/errors.js";
import { EVENT_TYPES, MESSAGE_TYPES } from "../../src/core/wire/message-tables.js";
import { EVENT_SPECS, MESSAGE_SPECS } from "../../src/core/wire/message-types.js";
import {
  buildEvent,
  buildMessage,
  dedupKey,
  randomMsgId,
  randomOpenId,
  textReply,
} from "../../src/core/wire/messages.js";
import { judgeReply } from "../../src/core/wire/reply.js";
import { buildXml, parseXml } from "../../src/core/wire/xml.js";

describe("buildMessage", () => {
  it.each(MESSAGE_TYPES)("builds a %s message with every required field and realistic defaults", (type) => {
    const message = buildMessage(type);
    expect(message.MsgType).toBe(type);
    expect(message.ToUserName).toMatch(/^gh_[0-9a-f]{12}$/);
    expect(message.FromUserName).toMatch(/^o[A-Za-z0-9_-]{27}$/);
    expect(message.CreateTime).toMatch(/^\d{10}$/);
    expect(message.MsgId).toMatch(/^\d{19}$/);
    for (const field of MESSAGE_SPECS[type]!.fields.filter((spec) => spec.required))
      expect(message[field.name], field.name).toBeTruthy();
    expect(parseXml(buildXml(message))).toEqual(message);
  });

  it("lets fields and the header override the defaults", () => {
    const message = buildMessage(
      "text",
      { Content: "hi", Idx: undefined },
      { fromUserName: "o1", toUserName: "gh_1", createTime: "1", msgId: "9" },
    );
    expect(message).toMatchObject({
      Content: "hi",
      FromUserName: "o1",
      ToUserName: "gh_1",
      CreateTime: "1",
      MsgId: "9",
    });
    expect("Idx" in message).toBe(false);
  });

  it("names the known types when given an unknown one", () => {
    expect(() => buildMessage("sticker")).toThrow(InputError);
    expect(() => buildMessage("sticker")).toThrow(/sticker/);
    for (const type of ["toString", "__proto__", "constructor"]) expect(() => buildMessage(type)).toThrow(InputError);
  });
});

describe("buildEvent", () => {
  it.each(EVENT_TYPES)("builds a %s event with its required fields and no MsgId", (event) => {
    const message = buildEvent(event);
    expect(message).toMatchObject({ MsgType: "event", Event: event });
    expect(message.MsgId).toBeUndefined();
    for (const field of EVENT_SPECS[event]!.fields.filter((spec) => spec.required))
      expect(message[field.name], field.name).toBeTruthy();
    expect(parseXml(buildXml(message))).toEqual(message);
  });

  it("accepts any case and canonicalises (scan → SCAN)", () => {
    expect(buildEvent("scan").Event).toBe("SCAN");
    expect(buildEvent("Subscribe", { EventKey: "qrscene_1" }).EventKey).toBe("qrscene_1");
    expect(() => buildEvent("poke")).toThrow(/unknown event/);
  });
});

describe("ids and dedup", () => {
  it("makes 19-digit message ids and openids that differ", () => {
    const ids = new Set(Array.from({ length: 100 }, randomMsgId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(BigInt(id) < 2n ** 64n).toBe(true);
    expect(randomOpenId()).not.toBe(randomOpenId());
  });

  it("keys messages by MsgId and events by sender, time and event", () => {
    expect(dedupKey(buildMessage("text", {}, { msgId: "42", fromUserName: "o1" }))).toBe("msg:o1:42");
    expect(dedupKey(buildMessage("text", {}, { msgId: "42", fromUserName: "o2" }))).not.toBe(
      dedupKey(buildMessage("text", {}, { msgId: "42", fromUserName: "o1" })),
    );
    const event = buildEvent("CLICK", { EventKey: "k" }, { fromUserName: "o1", createTime: "10" });
    expect(dedupKey(event)).toBe("event:o1:10:CLICK:k");
  });
});

describe("textReply", () => {
  it("swaps To/From and is a reply WeChat accepts", () => {
    const request = buildMessage("text", { Content: "hi" });
    const reply = textReply(request, "hi back");
    expect(reply.ToUserName).toBe(request.FromUserName);
    expect(reply.FromUserName).toBe(request.ToUserName);
    expect(judgeReply(buildXml(reply), request)).toMatchObject({ kind: "reply", ok: true, problems: [] });
  });
});
