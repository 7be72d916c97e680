import { describe, expect, it } from "vitest";
import { closestWord, didYouMean } from "../../src/core/support/suggest.js";

const TYPES = ["text", "image", "voice", "video", "shortvideo", "location", "link", "event"];

describe("closestWord: the word a typo most likely meant", () => {
  it.each([
    ["texts", "text"],
    ["txet", "text"],
    ["imgae", "image"],
    ["vidoe", "video"],
    ["evnet", "event"],
    ["TEXT", "text"],
    ["locaton", "location"],
    ["foo", undefined],
    ["x", undefined],
    ["sticker", undefined],
  ])("%s → %s", (typed, meant) => {
    expect(closestWord(typed, TYPES)).toBe(meant);
  });

  it("didYouMean words it, or says nothing", () => {
    expect(didYouMean("texts", TYPES)).toBe(" (did you mean text?)");
    expect(didYouMean("imag", ["image", "help"], "/")).toBe(" (did you mean /image?)");
    expect(didYouMean("zzz", TYPES)).toBe("");
  });
});
