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

describe("a core hint names what to change; the CLI adds the flag that changes it", () => {
  it("a port in use: serve's --port", async () => {
    const { createServer } = await import("node:net");
    const busy = createServer();
    await new Promise<void>((resolve) => busy.listen(0, "127.0.0.1", resolve));
    const { port } = busy.address() as { port: number };
    try {
      const result = await run(["serve", "--token", "t", "--port", String(port)]);
      expect(result.code).toBe(2);
      expect(result.stderr).toBe(
        `wxdev: port ${port} is already in use — pick another port, or stop the other server (--port)\n`,
      );
    } finally {
      busy.close();
    }
  });

  it("a path without its slash: serve's --path", async () => {
    const result = await run(["serve", "--token", "t", "--port", "0", "--path", "wechat8013"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe('wxdev: the path "wechat8013" does not start with / — e.g. --path /wechat8013\n');
  });

  it("a state with a dash: oauth-url's --state", async () => {
    const redirect = ["--redirect-uri", "https://a.example/cb"];
    const result = await run(["oauth-url", "--app-id", "wx1", ...redirect, "--state", "a-b"]);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/ — pass e\.g\. --state abc123, and keep other data in your own session\n$/);
  });
});
