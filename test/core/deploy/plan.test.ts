import { describe, expect, it } from "vitest";
import { emptiedFolders, planDeploy } from "../../../src/core/deploy/plan.js";

describe("planDeploy", () => {
  const entry = (sha256: string, mode = 0o644) => ({ size: 1, mode, sha256 });
  it("a link whose target changed, or a file that became a link with the same bytes and mode, is uploaded", () => {
    const link = { size: 2, mode: 0o777, sha256: "h", link: "v2" };
    expect(planDeploy({ current: link }, { current: { ...link, link: "v1" } }, { delete: false }).upload).toEqual([
      "current",
    ]);
    expect(
      planDeploy({ current: link }, { current: { size: 2, mode: 0o777, sha256: "h" } }, { delete: false }).upload,
    ).toEqual(["current"]);
    expect(planDeploy({ current: link }, { current: link }, { delete: false }).unchanged).toEqual(["current"]);
  });

  it("uploads new and changed (content or mode), keeps or deletes what vanished", () => {
    const local = { a: entry("1"), b: entry("2"), c: entry("3", 0o755) };
    const previous = { a: entry("1"), b: entry("x"), c: entry("3"), gone: entry("4") };
    expect(planDeploy(local, previous, { delete: false })).toEqual({
      upload: ["b", "c"],
      delete: [],
      unchanged: ["a"],
      kept: ["gone"],
      replace: [],
      bytes: 2,
    });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual(["gone"]);
    expect(planDeploy(local, undefined, { delete: true }).upload).toEqual(["a", "b", "c"]);
  });

  it("clears what stands in the way: a file that became a folder, and a folder that became a file", () => {
    const entry = (sha256: string) => ({ size: 1, mode: 0o644, sha256 });
    const previous = { conf: entry("f"), "lib/a.py": entry("a"), "lib/b.py": entry("b"), keep: entry("k") };
    const local = { "conf/app.ini": entry("i"), lib: entry("l"), keep: entry("k") };
    const plan = planDeploy(local, previous, { delete: false });
    expect(plan).toMatchObject({
      upload: ["conf/app.ini", "lib"],
      replace: ["conf", "lib"],
      kept: [],
      delete: [],
      unchanged: ["keep"],
    });
    expect(planDeploy(local, previous, { delete: true }).delete).toEqual([]);
  });
});

describe("emptiedFolders", () => {
  it("names the folders deletions may empty, deepest first, never one that still holds a file", () => {
    expect(
      emptiedFolders(
        ["lib/old/x.py", "lib/old/deep/y.py", "data/seed.json", "top.txt"],
        ["data/keep.json", "lib/new.py"],
      ),
    ).toEqual(["lib/old/deep", "lib/old"]);
    expect(emptiedFolders(["a/b/c.txt"], [])).toEqual(["a/b", "a"]);
  });
});
