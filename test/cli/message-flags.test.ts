import { describe, expect, it } from "vitest";
import {
  checkNumericFlags,
  fieldsFromFlags,
  MESSAGE_FLAGS,
  TYPE_ARGUMENT_HELP,
  takesArguments,
} from "../../src/cli/message-flags.js";

describe("simulate's flags, derived from the declarations", () => {
  it("say which field of which type each sets", () => {
    const help = Object.fromEntries(MESSAGE_FLAGS.map((flag) => [flag.spec, flag.help]));
    expect(help).toMatchObject({
      "--pic-url <url>": "image: PicUrl",
      "--media-id <id>": "image/voice/video/shortvideo: MediaId",
      "--format <format>": "voice: Format (amr, speex)",
      "--lat <latitude>": "location: Location_X / event: Latitude",
      "--link-url <url>": "link: Url",
      "--key <key>": "event: EventKey",
      "--ticket <ticket>": "event: Ticket",
    });
    expect(TYPE_ARGUMENT_HELP).toBe("text | image | voice | video | shortvideo | location | link | event");
  });

  it.each([
    ["text", ["hello", "there"], {}, { Content: "hello there" }],
    ["location", [], { lat: "1", lng: "2", title: "ignored" }, { Location_X: "1", Location_Y: "2", Label: undefined }],
    ["video", [], { mediaId: "m" }, { MediaId: "m" }],
    ["link", [], { linkUrl: "https://u" }, { Url: "https://u", Title: undefined }],
    ["event:location", [], { lat: "1", lng: "2", key: "k" }, { Latitude: "1", Longitude: "2" }],
    ["event:scan", [], { key: "42", ticket: "T" }, { EventKey: "42", Ticket: "T" }],
    ["event:click", [], { key: "K" }, { EventKey: "K" }],
    ["event:unknown", [], { key: "K" }, {}],
  ])("%s %j with %j sets %j", (type, args, values, fields) => {
    const result = fieldsFromFlags(type, args, values);
    expect(result).toMatchObject(fields);
    for (const name of Object.keys(result)) expect(name in fields || result[name] === undefined, name).toBe(true);
  });

  it("needs the words of a type that takes them, and only that type takes them", () => {
    expect(() => fieldsFromFlags("text", [], {})).toThrow(/simulate text needs the content/);
    expect(takesArguments("text")).toBe(true);
    expect(takesArguments("image")).toBe(false);
  });

  it("refuses a number flag that is not a number, with the declared sample as the example", () => {
    expect(() => checkNumericFlags({ lat: "north" })).toThrow(/--lat north is not a number/);
    expect(() => checkNumericFlags({ scale: "big" })).toThrow(/not a number/);
    expect(() => checkNumericFlags({ lat: "39.9", label: "north", key: "x" })).not.toThrow();
  });
});
