import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { authHandler } from "../../src/core/remote/ssh/auth.js";
import type { SshLogin } from "../../src/core/remote/ssh/ssh-config.js";
import { type HostKeyInfo, hostKeyVerifier } from "../../src/core/remote/ssh/host-key.js";

const REMOTE = fileURLToPath(new URL("../../src/core/remote", import.meta.url));

// What the lifecycle commands and the tunnel reuse must ask through callbacks and report through values.
const FORBIDDEN: [string, RegExp][] = [
  ["a prompt", /from\s+["'][^"']*prompt[^"']*["']|\bask\(/],
  ["readline", /["']node:readline["']|["']readline["']/],
  ["console", /\bconsole\./],
  ["process stdio", /\bprocess\.(stdin|stdout|stderr)\b/],
  ["the environment", /\bprocess\.env\b/],
  ["commander", /["']commander["']/],
  ["chalk", /["']chalk["']/],
  ["the CLI", /from\s+["'][^"']*\/cli\//],
];

describe("src/core/remote imports no prompt and prints nothing", () => {
  const files = readdirSync(REMOTE, { recursive: true, encoding: "utf8" }).filter((name) => name.endsWith(".ts"));

  it("holds the connection, the shell and known_hosts", () => {
    expect(files).toEqual(expect.arrayContaining(["ssh/connection.ts", "shell.ts", "ssh/known-hosts.ts"]));
  });

  it.each(FORBIDDEN)("no file uses %s", (_what, pattern) => {
    const offenders = files.filter((name) => pattern.test(readFileSync(join(REMOTE, name), "utf8")));
    expect(offenders).toEqual([]);
  });

  it("loads node-ssh only inside connect(), never at the top of a module", () => {
    const top = files.filter((name) =>
      /^import[^;]*from\s+["']node-ssh["']/m.test(readFileSync(join(REMOTE, name), "utf8")),
    );
    expect(top).toEqual([]);
  });
});

// An ed25519 public key blob: the type string, then 32 key bytes.
function blob(seed: number): Buffer {
  const type = Buffer.from("ssh-ed25519");
  const key = Buffer.alloc(32, seed);
  return Buffer.concat([Buffer.from([0, 0, 0, type.length]), type, Buffer.from([0, 0, 0, 32]), key]);
}

function verifyOnce(
  confirm: ((info: HostKeyInfo) => Promise<boolean>) | undefined,
  knownHostsPath = "/nonexistent/known_hosts",
): Promise<{ ok: boolean; refusal?: string }> {
  return new Promise((resolve) => {
    let refusal: string | undefined;
    const verify = hostKeyVerifier("example.test", 2222, { knownHostsPath, confirmHostKey: confirm }, (error) => {
      refusal = error.message;
    });
    verify(blob(7), (ok) => resolve({ ok, refusal }));
  });
}

describe("hostKeyVerifier asks through its callback", () => {
  it("an unknown key with nobody to ask is refused, naming the key", async () => {
    const result = await verifyOnce(undefined);
    expect(result.ok).toBe(false);
    expect(result.refusal).toMatch(/^the host key of example\.test:2222 is unknown \(ssh-ed25519 SHA256:/);
  });

  it("a 'no' (or a closed prompt) refuses the key; the callback saw host, port and fingerprint", async () => {
    const seen: HostKeyInfo[] = [];
    const result = await verifyOnce(async (info) => {
      seen.push(info);
      return false;
    });
    expect(result).toEqual({ ok: false, refusal: "host key not accepted" });
    expect(seen[0]).toMatchObject({ host: "example.test", port: 2222, keyType: "ssh-ed25519" });
    expect(seen[0]?.fingerprint).toMatch(/^SHA256:[\w+/]+$/);
  });
});

describe("authHandler: the public keys, then a password", () => {
  const login: SshLogin = {
    host: "example.test",
    port: 22,
    username: "tom",
    identityFiles: ["/nonexistent/.ssh/id_ed25519"],
    identitiesNamed: false,
    identitiesOnly: false,
  };

  function attempts(
    options: Parameters<typeof authHandler>[1],
  ): Promise<{ offered: unknown[]; tried: string[]; failure?: string }> {
    const tried: string[] = [];
    const offered: unknown[] = [];
    let failure: string | undefined;
    const handler = authHandler(login, options, tried, (error) => {
      failure = error.message;
    });
    return new Promise((resolve) => {
      const next = (auth: unknown): void => {
        offered.push(auth === false ? false : (auth as { type: string }).type);
        if (auth === false) resolve({ offered, tried, failure });
        else handler(undefined, undefined, next);
      };
      handler(undefined, undefined, next);
    });
  }

  it("no key to offer (an agent that does not answer, no key file): the given password; asks nobody", async () => {
    const asked: string[] = [];
    const result = await attempts({
      credentials: { agentSocket: "/tmp/agent.sock", password: "pw" },
      askSecret: async (prompt) => {
        asked.push(prompt);
        return "typed";
      },
      display: (path) => path,
    });
    expect(result).toEqual({ offered: ["password", false], tried: ["password"] });
    expect(asked).toEqual([]);
  });

  it("asks for the password it lacks, again after each refusal, three times in all (as ssh)", async () => {
    const asked: string[] = [];
    const result = await attempts({
      credentials: {},
      askSecret: async (prompt) => {
        asked.push(prompt);
        return "typed";
      },
      display: (path) => path,
    });
    const again = "Permission denied, please try again.\ntom@example.test's password: ";
    expect(asked).toEqual(["tom@example.test's password: ", again, again]);
    expect(result.tried).toEqual(["password", "password", "password"]);
  });

  it("a closed prompt (undefined) ends the login at once, saying so", async () => {
    const result = await attempts({ credentials: {}, askSecret: async () => undefined, display: String });
    expect(result).toEqual({
      offered: [false],
      tried: [],
      failure: "password for tom@example.test: none given (the prompt was closed)",
    });
  });

  it("with nothing given and nobody to ask, offers nothing", async () => {
    expect(await attempts({ credentials: {}, display: String })).toEqual({ offered: [false], tried: [] });
  });
});
