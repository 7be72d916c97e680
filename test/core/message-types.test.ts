import { describe, expect, it } from "vitest";
import {
  CHECKED_EVENTS,
  canonicalEvent,
  EVENT_TYPES,
  isNotification,
  MESSAGE_TYPES,
  messageSummary,
  replySummary,
} from "../../src/core/wire/message-tables.js";
import { NUMERIC_FIELDS } from "../../src/core/wire/xml-fields.js";
import { EVENT_SPECS, type FieldSpec, MESSAGE_SPECS, REPLY_TYPES } from "../../src/core/wire/message-types.js";
import { buildEvent, buildMessage } from "../../src/core/wire/messages.js";

function everyField(): FieldSpec[] {
  return everyKeyedField().map(([, field]) => field);
}

/** Every declared field with its place: `Name` at the top level, `Parent/Name` inside an element. */
function everyKeyedField(): [string, FieldSpec][] {
  const flat = (fields: FieldSpec[], parent?: string): [string, FieldSpec][] =>
    fields.flatMap((f) => [
      [parent === undefined ? f.name : `${parent}/${f.name}`, f] as [string, FieldSpec],
      ...flat(f.children ?? [], f.name),
    ]);
  return [
    ...flat(Object.values(MESSAGE_SPECS).flatMap((spec) => spec.fields)),
    ...flat(Object.values(EVENT_SPECS).flatMap((spec) => spec.fields)),
    ...Object.values(REPLY_TYPES).flatMap((spec) => [
      ...flat(spec.fields),
      ...(spec.wrapper === undefined ? [] : flat(spec.wrapper.fields, spec.wrapper.name)),
    ]),
  ];
}

describe("the declarations", () => {
  it("derive the fields WeChat writes as numbers, by place: Location_X is CDATA inside SendLocationInfo", () => {
    for (const key of [
      "CreateTime",
      "MsgId",
      "MsgDataId",
      "Idx",
      "ArticleCount",
      "Location_X",
      "Latitude",
      "MenuId",
      "TimeStamp",
      "MsgID",
      "TotalCount",
      "SendPicsInfo/Count",
      "CopyrightCheckResult/Count",
      "item/ArticleIdx",
      "List/PopupScene",
      "List/MsgID",
      "List/ErrorCode",
      "PublishEventInfo/publish_id",
      "article_detail/count",
      "item/idx",
    ])
      expect(NUMERIC_FIELDS.has(key), key).toBe(true);
    for (const key of [
      "SendLocationInfo/Location_X",
      "SendLocationInfo/Scale",
      "Label",
      "Status",
      "item/PicMd5Sum",
      "item/Title",
      "List/TemplateId",
      "PublishEventInfo/article_id",
      "Count",
    ])
      expect(NUMERIC_FIELDS.has(key), key).toBe(false);
  });

  it("never declare one field as a number in one place and text in the same place elsewhere (buildXml goes by place)", () => {
    for (const [key, field] of everyKeyedField()) expect(NUMERIC_FIELDS.has(key), key).toBe(field.number);
  });

  it("give a flag the same placeholder wherever it is declared", () => {
    const specs = new Map<string, string>();
    for (const field of everyField().filter((f) => f.flag !== undefined)) {
      const name = field.flag?.split(" ")[0] ?? "";
      expect(specs.get(name) ?? field.flag, name).toBe(field.flag);
      specs.set(name, field.flag ?? "");
    }
  });

  it("give every required field of every type a sample, so built messages are complete", () => {
    for (const type of MESSAGE_TYPES)
      for (const field of MESSAGE_SPECS[type]?.fields ?? [])
        if (field.required) expect(buildMessage(type)[field.name], `${type} ${field.name}`).toBeTruthy();
    for (const event of EVENT_TYPES)
      for (const field of EVENT_SPECS[event]?.fields ?? [])
        if (field.required) expect(buildEvent(event)[field.name], `${event} ${field.name}`).toBeTruthy();
  });

  it("build nested samples: lists of items, and empty text where WeChat sends it", () => {
    const pics = buildEvent("pic_weixin").SendPicsInfo;
    expect(pics).toEqual({ Count: "1", PicList: { item: [{ PicMd5Sum: expect.stringMatching(/^[0-9a-f]{32}$/) }] } });
    expect(buildEvent("location_select").SendLocationInfo).toMatchObject({ Scale: "15", Label: "天安门", Poiname: "" });
    expect(buildEvent("scancode_push").ScanCodeInfo).toEqual({
      ScanType: "qrcode",
      ScanResult: "https://example.com/qr",
    });
  });

  it("list the events check sends, in order: the menu events with nested elements and the job notifications too", () => {
    expect(CHECKED_EVENTS).toEqual([
      "subscribe",
      "unsubscribe",
      "CLICK",
      "VIEW",
      "SCAN",
      "LOCATION",
      "scancode_push",
      "scancode_waitmsg",
      "pic_sysphoto",
      "pic_photo_or_album",
      "pic_weixin",
      "location_select",
      "TEMPLATESENDJOBFINISH",
      "MASSSENDJOBFINISH",
      "PUBLISHJOBFINISH",
    ]);
  });

  it("mark the notifications WeChat ignores replies to, in any case, and only those", () => {
    for (const event of [
      "TEMPLATESENDJOBFINISH",
      "masssendjobfinish",
      "PUBLISHJOBFINISH",
      "subscribe_msg_popup_event",
      "subscribe_msg_change_event",
      "subscribe_msg_sent_event",
      "kf_create_session",
      "kf_close_session",
      "kf_switch_session",
      "view_miniprogram",
      "card_pass_check",
    ])
      expect(isNotification(event), event).toBe(true);
    for (const event of ["subscribe", "CLICK", "VIEW", "scancode_push", "location_select", "user_get_card", "poke"])
      expect(isNotification(event), event).toBe(false);
  });

  it.each([
    ["scan", "SCAN"],
    ["Location_Select", "location_select"],
    ["poke", undefined],
    ["constructor", undefined],
  ])("canonicalises the event %s as %s", (name, canonical) => {
    expect(canonicalEvent(name)).toBe(canonical);
  });
});

describe("summaries", () => {
  it.each([
    ["text", { Content: "hi" }, "hi"],
    ["image", { PicUrl: "http://p" }, "http://p"],
    ["voice", { MediaId: "m1" }, "m1"],
    ["location", { Label: "here" }, "here"],
    ["link", { Title: "t" }, "t"],
    ["event", { Event: "click", EventKey: "K" }, "K"],
    ["event", { Event: "LOCATION", Latitude: "1" }, undefined],
    ["sticker", { Content: "?" }, undefined],
  ])("a %s message %j is summed up as %s", (type, fields, summary) => {
    expect(messageSummary({ MsgType: type, ...fields })).toBe(summary);
  });

  it.each([
    ["text", { Content: "hi" }, "hi"],
    ["image", { Image: { MediaId: "m" } }, "m"],
    ["music", { Music: { Title: "song" } }, "song"],
    ["news", { ArticleCount: "2" }, "2 article(s)"],
    ["image", { PicUrl: "not a reply field" }, undefined],
    ["transfer_customer_service", {}, undefined],
  ])("a %s reply %j is summed up as %s", (type, fields, summary) => {
    expect(replySummary({ MsgType: type, ...fields })).toBe(summary);
  });
});
