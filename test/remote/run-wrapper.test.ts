import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { run } from "../../src/core/remote/shell.js";
import { type LocalServer, startLocalServer } from "../helpers/local-server.js";

/** A ~/.bashrc that says something on stderr and trips over a command of its own, as a student's may. */
const NOISY_BASHRC = `echo "bashrc: hello from ~/.bashrc" >&2
nosuchcommand-in-bashrc
greeting() { echo "greeting from ~/.bashrc"; }
`;

describe("a user's command through the wrapper: ~/.bashrc read as an interactive shell (a local shell)", () => {
  let server: LocalServer;
  beforeAll(async () => {
    server = await startLocalServer({ bashrc: NOISY_BASHRC });
  });
  afterAll(async () => server?.stop());

  it("~/.bashrc's own output is passed on; bash's job-control lines and the interactive exit are not", async () => {
    const result = await run(server.shell, "greeting; echo to-stderr >&2; exit 3");
    expect(result.code).toBe(3);
    expect(result.stdout).toBe("greeting from ~/.bashrc\n");
    const lines = result.stderr.split("\n").filter((line) => line !== "");
    expect(lines[0]).toBe("bashrc: hello from ~/.bashrc");
    expect(lines.some((line) => /nosuchcommand-in-bashrc/.test(line))).toBe(true);
    expect(lines.at(-1)).toBe("to-stderr");
    expect(result.stderr).not.toMatch(/job control|terminal process group|^exit$/m);
  });

  it("a command not found in the command itself makes it 127 and names it, ~/.bashrc's aside", async () => {
    const result = await run(server.shell, "nosuchtool-here --flag; true");
    expect(result.code).toBe(127);
    expect(result.missing).toEqual(["nosuchtool-here"]);
  });
});
