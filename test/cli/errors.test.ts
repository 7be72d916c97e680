import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMain as run } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const dir = tempDirs()("wxdev-errors-");
const missing = join(dir, "missing.xml");
const signed = "timestamp=1&nonce=2&signature=x&msg_signature=y&encrypt_type=aes";

describe("a file that cannot be read says why", () => {
  it.each([
    ["verify --body, no such file", ["verify", "--token", "t", signed, "--body", missing], "no such file (ENOENT)"],
    ["verify --body, a folder", ["verify", "--token", "t", signed, "--body", dir], "is a directory (EISDIR)"],
    [
      "simulate --file, no such file",
      ["simulate", "--file", missing, "--url", "http://127.0.0.1:9/w", "--token", "t"],
      "no such file (ENOENT)",
    ],
    [
      "simulate --file, a folder",
      ["simulate", "--file", dir, "--url", "http://127.0.0.1:9/w", "--token", "t"],
      "is a directory (EISDIR)",
    ],
  ])("%s", async (_name, argv, reason) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain(reason);
    expect(result.stderr).not.toContain("caused by");
  });

  it("--verbose prints each cause, then the stack", async () => {
    const result = await run(["verify", "--verbose", "--token", "t", signed, "--body", missing]);
    expect(result.code).toBe(2);
    const lines = result.stderr.split("\n");
    expect(lines[0]).toMatch(/^wxdev: cannot read body file .*missing\.xml: no such file \(ENOENT\) — check the path$/);
    expect(lines[1]).toMatch(/^ {2}caused by: Error: ENOENT: no such file or directory, open '.*missing\.xml'$/);
    expect(lines[2]).toBe(`InputError: ${lines[0]?.replace(/^wxdev: /, "").replace(/ — check the path$/, "")}`);
  });
});
