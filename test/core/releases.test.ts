import { describe, expect, it } from "vitest";
import { type HistoryEntry, parseListing, releaseTime, rollbackTarget } from "../../src/core/remote/releases.js";

const entry = (id: string, previous?: string, reason = "deploy"): HistoryEntry => ({
  time: "2024-05-01T12:00:00Z",
  id,
  ...(previous ? { previous } : {}),
  reason,
});

describe("the rollback target", () => {
  it.each<[string, string | undefined, string[], HistoryEntry[], string | undefined]>([
    ["A, B: B's predecessor", "B", ["A", "B"], [entry("A"), entry("B", "A")], "A"],
    [
      "A, B, rollback, C: what was live before C (A), not the one before by name (B)",
      "C",
      ["A", "B", "C"],
      [entry("A"), entry("B", "A"), entry("A", "B", "rollback"), entry("C", "A")],
      "A",
    ],
    [
      "after a rollback to A: back to B",
      "A",
      ["A", "B"],
      [entry("A"), entry("B", "A"), entry("A", "B", "rollback")],
      "B",
    ],
    ["the first release has none", "A", ["A"], [entry("A")], undefined],
    ["a predecessor that is gone is none, not a guess", "C", ["B", "C"], [entry("C", "A")], undefined],
    ["no history (releases from before it): the one before by name", "C", ["A", "B", "C"], [], "B"],
    ["nothing live", undefined, ["A"], [entry("A")], undefined],
  ])("%s", (_case, live, existing, history, expected) => {
    expect(rollbackTarget(live, existing, history)).toBe(expected);
  });
});

describe("the listing", () => {
  it("parses what listScript prints: live, releases with file counts, history; marks live and target", () => {
    const id = (n: number): string => `2024050${n}T120000123Z-1abcdef`;
    const output = [
      `live ${id(3)}`,
      `release ${id(1)} 4`,
      `release ${id(2)} 1`,
      `release ${id(3)} 5`,
      `history 2024-05-01T12:00:00Z ${id(1)} - deploy`,
      `history 2024-05-02T12:00:00Z ${id(2)} ${id(1)} deploy`,
      `history 2024-05-02T12:01:00Z ${id(1)} ${id(2)} rollback`,
      `history 2024-05-03T12:00:00Z ${id(3)} ${id(1)} deploy`,
      "",
    ].join("\n");
    const listing = parseListing(output);
    expect(listing.live).toBe(id(3));
    expect(listing.rollbackTarget).toBe(id(1));
    expect(listing.releases).toEqual([
      { id: id(1), time: "2024-05-01T12:00:00.123Z", files: 4, live: false, rollbackTarget: true },
      { id: id(2), time: "2024-05-02T12:00:00.123Z", files: 1, live: false, rollbackTarget: false },
      { id: id(3), time: "2024-05-03T12:00:00.123Z", files: 5, live: true, rollbackTarget: false },
    ]);
    expect(listing.history[0]).toEqual({ time: "2024-05-01T12:00:00Z", id: id(1), reason: "deploy" });
  });

  it("a plain folder is nothing live; an adopted release's name has no time", () => {
    expect(parseListing("live -\nrelease old-0 3\n")).toEqual({
      releases: [{ id: "old-0", files: 3, live: false, rollbackTarget: false }],
      history: [],
    });
    expect(releaseTime("20240501T120000123Z-0")).toBe("2024-05-01T12:00:00.123Z");
  });
});
