import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const pkg = JSON.parse(readFileSync(new URL("../../package.json", import.meta.url), "utf8")) as { version: string };

describe("wxdev (global behaviour)", () => {
  it("--version prints the package version", async () => {
    expect(await runMain(["--version"])).toEqual({ code: 0, stdout: `${pkg.version}\n`, stderr: "" });
  });

  it("--help lists the commands and global options", async () => {
    const result = await runMain(["--help"]);
    expect(result.code).toBe(0);
    for (const word of ["sign", "verify", "encrypt", "decrypt", "--json", "--no-color", "--config", "--verbose"])
      expect(result.stdout).toContain(word);
  });

  it.each(["sign", "verify", "encrypt", "decrypt"])("%s --help ends with examples", async (command) => {
    const result = await runMain([command, "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(new RegExp(`Examples:\\n(\\s+\\$ .*wxdev ${command}.*\\n)+`));
  });

  it("an unknown command or option is a usage error: exit 2", async () => {
    const unknown = await runMain(["frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toMatch(/unknown command 'frobnicate'/);
    const badOption = await runMain(["sign", "--tokn", "x"]);
    expect(badOption.code).toBe(2);
    expect(badOption.stderr).toMatch(/unknown option '--tokn'/);
  });

  it("a bad config file is exit 2 naming the key", async () => {
    const dir = temp("wxdev-cfg-");
    writeFileSync(join(dir, "bad.json"), JSON.stringify({ token: "t", aes_key: "x" }));
    const result = await runMain(["sign", "--config", "bad.json"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/unknown key "aes_key"/);
  });

  it("colour only when asked for: none when piped, FORCE_COLOR turns it on, --no-color and NO_COLOR win", async () => {
    const args = ["verify", "--token", "x", "signature=0&timestamp=1&nonce=2"];
    const piped = await runMain(args, { env: { NO_COLOR: undefined } });
    expect(piped.stdout).not.toContain("\u001b[");
    const forced = await runMain(args, { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(forced.stdout).toContain("\u001b[");
    const noColor = await runMain([...args, "--no-color"], { env: { NO_COLOR: undefined, FORCE_COLOR: "1" } });
    expect(noColor.stdout).not.toContain("\u001b[");
    const noColorEnv = await runMain(args, { env: { NO_COLOR: "1", FORCE_COLOR: "1" } });
    expect(noColorEnv.stdout).not.toContain("\u001b[");
  });
});
