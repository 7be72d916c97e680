import { describe, expect, it } from "vitest";
import {
  CHECKED_EVENTS,
  canonicalEvent,
  EVENT_TYPES,
  MESSAGE_TYPES,
  messageSummary,
  NUMERIC_FIELDS,
  replySummary,
} from "../../src/core/message-tables.js";
import { EVENT_SPECS, type FieldSpec, MESSAGE_SPECS, REPLY_TYPES } from "../../src/core/message-types.js";
import { buildEvent, buildMessage } from "../../src/core/messages.js";

function everyField(): FieldSpec[] {
  const flat = (fields: FieldSpec[]): FieldSpec[] => fields.flatMap((f) => [f, ...flat(f.children ?? [])]);
  return flat([
    ...Object.values(MESSAGE_SPECS).flatMap((spec) => spec.fields),
    ...Object.values(EVENT_SPECS).flatMap((spec) => spec.fields),
    ...Object.values(REPLY_TYPES).flatMap((spec) => [...spec.fields, ...(spec.wrapper?.fields ?? [])]),
  ]);
}

describe("the declarations", () => {
  it("derive exactly the fields WeChat writes as numbers", () => {
    expect([...NUMERIC_FIELDS].sort()).toEqual(
      [
        "CreateTime",
        "MsgId",
        "MsgDataId",
        "Idx",
        "ArticleCount",
        "Location_X",
        "Location_Y",
        "Scale",
        "Latitude",
        "Longitude",
        "Precision",
        "MenuId",
        "Count",
        "TimeStamp",
      ].sort(),
    );
  });

  it("never declare one field name as a number in one place and text in another (buildXml goes by name)", () => {
    for (const field of everyField()) expect(NUMERIC_FIELDS.has(field.name), field.name).toBe(field.number);
  });

  it("give a flag the same placeholder wherever it is declared", () => {
    const specs = new Map<string, string>();
    for (const field of everyField().filter((f) => f.flag !== undefined)) {
      const name = field.flag?.split(" ")[0] ?? "";
      expect(specs.get(name) ?? field.flag, name).toBe(field.flag);
      specs.set(name, field.flag ?? "");
    }
  });

  it("declare flags on top-level fields only (simulate does not yet merge nested overrides into samples)", () => {
    const nestedFields = (fields: FieldSpec[]): FieldSpec[] =>
      fields.flatMap((f) => [...(f.children ?? []), ...nestedFields(f.children ?? [])]);
    const declared = [...Object.values(MESSAGE_SPECS), ...Object.values(EVENT_SPECS)].flatMap((s) => s.fields);
    expect(nestedFields(declared).filter((f) => f.flag !== undefined)).toEqual([]);
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

  it("list the events every server should answer, in check's order", () => {
    expect(CHECKED_EVENTS).toEqual(["subscribe", "unsubscribe", "CLICK", "VIEW", "SCAN", "LOCATION"]);
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
