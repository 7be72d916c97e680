import { describe, expect, it } from "vitest";
import { parseSimulateArgs, type SimulateFlags } from "../../src/cli/commands/simulate/args.js";

describe("parseSimulateArgs: simulate's arguments → how to send, checked before anything is read or sent", () => {
  it.each<[string, string | undefined, string[], SimulateFlags, unknown]>([
    ["one text", "text", ["hi"], {}, { kind: "once", retry: false }],
    ["one text, retried", "text", ["hi"], { retry: true }, { kind: "once", retry: true }],
    ["a file, no type", undefined, [], { file: "m.xml" }, { kind: "once", retry: false }],
    ["an event with its name", "event", ["subscribe"], {}, { kind: "once", retry: false }],
    ["load by count", "text", ["x"], { count: 200, concurrency: 8 }, { kind: "load", count: 200, concurrency: 8 }],
    ["load by duration", "image", [], { duration: 3 }, { kind: "load", duration: 3, concurrency: 10 }],
    ["--concurrency outside load mode is unused", "text", ["x"], { concurrency: 4 }, { kind: "once" }],
    ["a replay, no type", undefined, [], { replay: "r.ndjson", concurrency: 10 }, { kind: "replay", file: "r.ndjson" }],
  ])("%s", (_name, type, args, flags, plan) => {
    expect(parseSimulateArgs(type, args, flags)).toMatchObject(plan as object);
  });

  it.each<[string, string | undefined, string[], SimulateFlags, RegExp]>([
    ["no type and no file", undefined, [], {}, /missing message type/],
    ["a type with --file", "text", [], { file: "m.xml" }, /--file .* takes no a message type/],
    [
      "--from, --to, --msg-id with --file",
      undefined,
      [],
      { file: "f", from: "o", to: "g", msgId: "1" },
      /--from, --to/,
    ],
    ["words after a flag-only type", "image", ["extra", "words"], {}, /unexpected arguments after image: extra words/],
    ["a MsgId that is not a number", "text", ["hi"], { msgId: "abc" }, /--msg-id abc is not a number/],
    ["a latitude that is not a number", "location", [], { lat: "north" } as SimulateFlags, /--lat north/],
    [
      "a MsgId above 2^64−1",
      "text",
      ["hi"],
      { msgId: "18446744073709551616" },
      /--msg-id 18446744073709551616 is above 2\^64−1/,
    ],
    [
      "an event's flag it has no field for",
      "event",
      ["click"],
      { ticket: "T" } as SimulateFlags,
      /--ticket does not apply to event CLICK/,
    ],
    [
      "a nested field's bad value",
      "event",
      ["location_select"],
      { lat: "1e3" } as SimulateFlags,
      /--lat 1e3 is not a decimal/,
    ],
    ["field flags with --file", undefined, [], { file: "f", lat: "1" } as SimulateFlags, /takes no --lat/],
    ["--retry in load mode", "text", ["hi"], { count: 5, retry: true }, /load mode .* drop --retry/],
    ["--msg-id in load mode", "text", ["hi"], { duration: 5, msgId: "1" }, /drop --msg-id/],
    ["a type with --replay", "text", ["hi"], { replay: "r" }, /--replay .* takes no text hi/],
    [
      "--msg-id and --retry with --replay",
      undefined,
      [],
      { replay: "r", msgId: "1", retry: true },
      /--msg-id, --retry/,
    ],
    ["--duration with --replay", undefined, [], { replay: "r", duration: 3 }, /takes no --duration/],
  ])("refuses %s", (_name, type, args, flags, message) => {
    expect(() => parseSimulateArgs(type, args, flags)).toThrow(message);
  });
});
