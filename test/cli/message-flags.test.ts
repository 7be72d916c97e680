import { describe, expect, it } from "vitest";
import {
  checkMessageFlags,
  fieldsFromFlags,
  MESSAGE_FLAGS,
  TYPE_ARGUMENT_HELP,
  takesArguments,
} from "../../src/cli/messages/message-flags.js";

describe("simulate's flags, derived from the declarations", () => {
  it("say which field of which type each sets", () => {
    const help = Object.fromEntries(MESSAGE_FLAGS.map((flag) => [flag.spec, flag.help]));
    expect(help).toMatchObject({
      "--pic-url <url>": "image: PicUrl",
      "--media-id <id>": "image/voice/video/shortvideo: MediaId",
      "--format <format>": "voice: Format (amr, speex)",
      "--lat <latitude>": "location/event location_select: Location_X / event LOCATION: Latitude",
      "--pic-md5 <md5>": "event pic_sysphoto/pic_photo_or_album/pic_weixin: PicMd5Sum",
      "--link-url <url>": "link: Url",
      "--key <key>": "event: EventKey / event view_miniprogram: EventKey (the mini program page)",
      "--ticket <ticket>": "event subscribe/SCAN: Ticket",
    });
    expect(TYPE_ARGUMENT_HELP).toBe("text | image | voice | video | shortvideo | location | link | event");
  });

  it.each([
    ["text", ["hello", "there"], {}, { Content: "hello there" }],
    ["text", ["hi"], { msgDataId: "2247483651", idx: "1" }, { Content: "hi", MsgDataId: "2247483651", Idx: "1" }],
    ["location", [], { lat: "1", lng: "2", title: "ignored" }, { Location_X: "1", Location_Y: "2" }],
    ["video", [], { mediaId: "m", thumbMediaId: "t" }, { MediaId: "m", ThumbMediaId: "t" }],
    ["link", [], { linkUrl: "https://u" }, { Url: "https://u" }],
    ["event:location", [], { lat: "1", lng: "2", key: "k" }, { Latitude: "1", Longitude: "2" }],
    ["event:scan", [], { key: "42", ticket: "T" }, { EventKey: "42", Ticket: "T" }],
    ["event:click", [], { key: "K" }, { EventKey: "K" }],
    ["event:view", [], { key: "https://u", menuId: "7" }, { EventKey: "https://u", MenuId: "7" }],
    [
      "event:location_select",
      [],
      { lat: "1.5", label: "外滩", poiname: "P" },
      { SendLocationInfo: { Location_X: "1.5", Label: "外滩", Poiname: "P" } },
    ],
    [
      "event:scancode_push",
      [],
      { scanType: "barcode", scanResult: "6901234567892" },
      { ScanCodeInfo: { ScanType: "barcode", ScanResult: "6901234567892" } },
    ],
    [
      "event:pic_weixin",
      [],
      { picMd5: ["a", "b"] },
      { SendPicsInfo: { PicList: { item: [{ PicMd5Sum: "a" }, { PicMd5Sum: "b" }] } } },
    ],
    [
      "event:subscribe_msg_popup_event",
      [],
      { templateId: ["T1", "T2"], subscribeStatus: ["reject"] },
      {
        SubscribeMsgPopupEvent: { List: [{ TemplateId: "T1", SubscribeStatusString: "reject" }, { TemplateId: "T2" }] },
      },
    ],
    [
      "event:TEMPLATESENDJOBFINISH",
      [],
      { msgId: "9", status: "failed:user block" },
      { MsgID: "9", Status: "failed:user block" },
    ],
    ["event:publishjobfinish", [], { publishStatus: "3" }, { PublishEventInfo: { publish_status: "3" } }],
    ["event:kf_switch_session", [], { fromKf: "a@x", toKf: "b@x" }, { FromKfAccount: "a@x", ToKfAccount: "b@x" }],
    ["event:unknown", [], { key: "K" }, {}],
  ])("%s %j with %j sets exactly %j", (type, args, values, fields) => {
    expect(fieldsFromFlags(type, args, values)).toEqual(fields);
  });

  it("needs the words of a type that takes them, and only that type takes them", () => {
    expect(() => fieldsFromFlags("text", [], {})).toThrow(/simulate text needs the content/);
    expect(takesArguments("text")).toBe(true);
    expect(takesArguments("image")).toBe(false);
  });

  it("makes a flag inside a repeated element repeatable, and no other", () => {
    const repeatable = MESSAGE_FLAGS.filter((flag) => flag.repeatable).map((flag) => flag.name);
    expect(repeatable.sort()).toEqual(["--fail-idx", "--pic-md5", "--subscribe-status", "--template-id"]);
  });

  it.each([
    ["location", { lat: "north" }, /^--lat north is not a decimal number$/],
    ["location", { lat: "1e3" }, /^--lat 1e3 is not a decimal number$/],
    ["location", { lat: "0x10" }, /^--lat 0x10 is not a decimal number$/],
    ["location", { lat: "Infinity" }, /not a decimal number/],
    ["location", { lat: "90.5" }, /^--lat 90.5 is out of range: Location_X is -90 to 90$/],
    ["location", { lng: "-181" }, /^--lng -181 is out of range: Location_Y is -180 to 180$/],
    ["location", { scale: "1.5" }, /^--scale 1.5 is not a whole number$/],
    ["event:location", { lat: "-91" }, /out of range: Latitude/],
    ["event:location_select", { lat: "100" }, /out of range: Location_X/],
    ["event:view", { menuId: "18446744073709551616" }, /above 2\^64−1/],
    ["event:publishjobfinish", { publishStatus: "7" }, /out of range: publish_status is 0 to 6/],
    ["event:click", { ticket: "T" }, /^--ticket does not apply to event CLICK$/],
    ["event:CLICK", { lat: "1" }, /^--lat does not apply to event CLICK$/],
    ["event:subscribe", { msgId: "1" }, /^--msg-id does not apply to event subscribe$/],
    ["image", { label: "x" }, /^--label does not apply to image$/],
    ["event:unsubscribe", { key: "k" }, /^--key does not apply to event unsubscribe$/],
  ])("%s with %j is refused: %s", (type, values, message) => {
    expect(() => checkMessageFlags(type, values)).toThrow(message);
  });

  it("names what the type takes instead", () => {
    const hint = (type: string, values: Record<string, unknown>): string | undefined => {
      try {
        checkMessageFlags(type, values);
      } catch (error) {
        return (error as { hint?: string }).hint;
      }
    };
    expect(hint("event:click", { ticket: "T" })).toBe("event CLICK takes --key");
    expect(hint("event:SCAN", { lat: "1" })).toBe("event SCAN takes --key, --ticket");
    expect(hint("event:unsubscribe", { key: "k" })).toMatch(/takes no field flags/);
  });

  it.each([
    ["location", { lat: "-39.9", lng: "116.4", scale: "16", label: "north", key: undefined }],
    ["text", { msgId: "18446744073709551615" }],
    ["event:TEMPLATESENDJOBFINISH", { msgId: "200163836", status: "success" }],
    ["event:pic_weixin", { picMd5: ["a", "b"], key: "k" }],
    ["event:poke", { ticket: "left to the builder, which names the known events" }],
  ])("accepts %s with %j", (type, values) => {
    expect(() => checkMessageFlags(type, values)).not.toThrow();
  });
});
