import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runMain } from "../helpers/main.js";
import { tempDirs } from "../helpers/temp.js";

const temp = tempDirs();

const SECRET = "0123456789abcdef0123456789abcdef";
const env = { WXDEV_APP_ID: "wxsecrets", WXDEV_APP_SECRET: SECRET };

describe("no error path prints the app secret", () => {
  it.each([[[]], [["--verbose"]]])(
    "oauth exchange with credentials in --api-base %j: exit 2, secret and password hidden",
    async (extra) => {
      const result = await runMain(
        ["oauth", "exchange", "--code", "C", "--api-base", "http://user:hunter22@127.0.0.1:9", ...extra],
        { env },
      );
      expect(result.code).toBe(2);
      expect(result.stderr).toMatch(
        /^wxdev: the API base http:\/\/\*\*\*@127\.0\.0\.1:9 holds a user name or password/,
      );
      if (extra.length === 0) expect(result.stderr.trim().split("\n")).toHaveLength(1);
      else expect(result.stderr).toMatch(/\n\s+at /);
      expect(result.stderr).not.toContain(SECRET);
      expect(result.stderr).not.toContain("hunter22");
      expect(result.stdout).toBe("");
    },
  );

  it("a config file with a syntax error next to the secret: the error does not quote the secret", async () => {
    const dir = temp("wxdev-secrets-");
    writeFileSync(join(dir, "wxdev.config.json"), `{"appId": "wx1", "appSecret": SECRET${SECRET}}`);
    const result = await runMain(["oauth", "exchange", "--code", "C"], { cwd: dir });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/is not valid JSON: line 1, column 31: unexpected token 'S' \(after "appSecret"\)/);
    expect(result.stderr).not.toMatch(/SECRET|0123/);
  });

  it.each(["WXDEV_SSH_PASSWORD", "WXDEV_SSH_PASSPHRASE"])(
    "%s is hidden in an error that would quote it (here, as the host that cannot be found)",
    async (variable) => {
      const dir = temp("wxdev-secrets-");
      const secret = "no-such-host-swordfish.invalid";
      const server = { host: secret, username: "u", remoteDir: "~/app" };
      writeFileSync(join(dir, "wxdev.config.json"), JSON.stringify({ servers: { s8013: server } }));
      const result = await runMain(["exec", "s8013", "--", "true"], { cwd: dir, env: { [variable]: secret } });
      expect(result.code).toBe(1);
      expect(result.stderr).toContain("cannot connect to u@***:22");
      expect(result.stderr).not.toContain("swordfish");
    },
  );

  it("oauth exchange --help says --json prints the tokens in full", async () => {
    const result = await runMain(["oauth", "exchange", "--help"]);
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/--json prints the tokens in full/);
  });
});
