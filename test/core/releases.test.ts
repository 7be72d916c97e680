import { describe, expect, it } from "vitest";
import { type HistoryEntry, parseListing, releaseTime, rollbackTarget } from "../../src/core/remote/releases/list.js";
import { releasesToPrune } from "../../src/core/remote/releases/prune.js";

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

  it.each<[string, string, string[], HistoryEntry[], string[], string | undefined]>([
    [
      "A, B failed its gate, switched back to A: none (B failed, and A is live)",
      "A",
      ["A", "B"],
      [entry("A"), entry("B", "A"), entry("A", "B", "rollback")],
      ["B"],
      undefined,
    ],
    [
      "A, B, C failed, back to B: A, passing over C",
      "B",
      ["A", "B", "C"],
      [entry("A"), entry("B", "A"), entry("C", "B"), entry("B", "C", "rollback")],
      ["C"],
      "A",
    ],
    ["no history: the newest before it by name that did not fail", "C", ["A", "B", "C"], [], ["B"], "A"],
  ])("%s", (_case, live, existing, history, failed, expected) => {
    expect(rollbackTarget(live, existing, history, new Set(failed))).toBe(expected);
  });
});

describe("pruning", () => {
  const listing = (output: string[]) => parseListing(output.map((line) => `${line}\n`).join(""));
  it("keeps the newest by name, the live one and the rollback target, which may be older (past a failed one)", () => {
    const found = listing([
      "live B",
      "release A 1",
      "release B 1",
      "release C 1",
      "release D 1",
      "history t A - deploy",
      "history t B A deploy",
      "history t C B deploy",
      "history t C - gate-failed",
      "history t B C rollback",
      "history t D B deploy",
      "history t D - gate-failed",
      "history t B D rollback",
    ]);
    expect(found.rollbackTarget).toBe("A");
    expect(releasesToPrune(found, 2)).toEqual([]);
    expect(releasesToPrune({ ...found, rollbackTarget: undefined }, 2)).toEqual(["A"]);
    expect(releasesToPrune(found, 1)).toEqual(["C"]);
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

  it("a gate verdict is no switch: it marks the release, and the history keeps the switches", () => {
    const listing = parseListing(
      [
        "live B",
        "release A 1",
        "release B 1",
        "history t A - deploy",
        "history t A - gate-passed",
        "history t B A deploy",
        "history t B - gate-failed",
        "history t A B rollback",
        "history t A - gate-passed",
        "history t B A rollback",
      ]
        .map((line) => `${line}\n`)
        .join(""),
    );
    expect(listing.history.map((entry) => entry.reason)).toEqual(["deploy", "deploy", "rollback", "rollback"]);
    expect(listing.releases.map((release) => [release.id, release.gate])).toEqual([
      ["A", "passed"],
      ["B", "failed"],
    ]);
    expect(listing.rollbackTarget).toBe("A");
  });

  it("a plain folder is nothing live; an adopted release's name has no time", () => {
    expect(parseListing("live -\nrelease old-0 3\n")).toEqual({
      releases: [{ id: "old-0", files: 3, live: false, rollbackTarget: false }],
      history: [],
    });
    expect(releaseTime("20240501T120000123Z-0")).toBe("2024-05-01T12:00:00.123Z");
  });
});
