import { type ChildProcess, execFileSync, spawn, spawnSync } from "node:child_process";
import { copyFileSync, existsSync, readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { InputError } from "../../src/core/support/errors.js";
import { type IdentityOptions, identityAgent } from "../../src/core/remote/ssh/identities.js";
import { skipReason } from "../helpers/skips.js";
import { tempDirs } from "../helpers/temp.js";
import { passphraseOptions } from "../helpers/key-passphrase.js";

const temp = tempDirs();
const agentMissing = skipReason(
  spawnSync("ssh-agent", ["-h"]).error ? "ssh-agent not found (apt-get install openssh-client)" : undefined,
);
if (agentMissing) console.warn(`skipping the identity tests: ${agentMissing}`);

interface Key {
  getPublicSSH(): Buffer;
  verify(data: Buffer, signature: Buffer, hash?: string): boolean | Error;
}
const { parseKey } = (createRequire(import.meta.url)("ssh2") as { utils: { parseKey(data: Buffer): Key } }).utils;

/** A new key pair (`passphrase` "" for none), named `name` in a folder of its own. */
function keyPair(name: string, passphrase = "", type = "ed25519"): string {
  const path = join(temp("wxdev-identity-"), name);
  execFileSync("ssh-keygen", ["-q", "-t", type, ...passphraseOptions(passphrase), "-C", name, "-f", path]);
  return path;
}

/** A person at the prompt who gives `answers` in turn (then none), and the prompts they saw. */
function person(answers: (string | undefined)[]): {
  asked: string[];
  askSecret: (prompt: string) => Promise<string | undefined>;
} {
  const asked: string[] = [];
  return {
    asked,
    askSecret: async (prompt) => {
      asked.push(prompt);
      return answers.shift();
    },
  };
}

type TestAgent = NonNullable<Awaited<ReturnType<typeof identityAgent>>>;

function identities(agent: TestAgent): Promise<Key[]> {
  return new Promise((resolve, reject) =>
    agent.getIdentities((error, keys) => (error ? reject(error) : resolve(keys as unknown as Key[]))),
  );
}

function sign(agent: TestAgent, key: Key, data: Buffer): Promise<Buffer> {
  return new Promise((resolve, reject) =>
    agent.sign(key as never, data, {}, (error, signature) => (error ? reject(error) : resolve(signature as Buffer))),
  );
}

describe.skipIf(agentMissing !== undefined)("the keys a login offers, in OpenSSH's order (a real ssh-agent)", () => {
  let agentProcess: ChildProcess;
  let socket: string;
  let inAgent: string;
  let alsoInAgent: string;
  let locked: string;

  beforeAll(async () => {
    socket = join(temp("wxdev-agent-"), "agent.sock");
    agentProcess = spawn("ssh-agent", ["-D", "-a", socket], { stdio: "ignore" });
    for (let i = 0; i < 100 && !existsSync(socket); i++) await new Promise((resolve) => setTimeout(resolve, 20));
    inAgent = keyPair("in-agent");
    alsoInAgent = keyPair("also-in-agent");
    locked = keyPair("locked", "the passphrase");
    execFileSync("ssh-add", ["-q", inAgent, alsoInAgent], { env: { ...process.env, SSH_AUTH_SOCK: socket } });
  });
  afterAll(() => {
    agentProcess?.kill();
  });

  function options(files: string[], extra: Partial<IdentityOptions> = {}): IdentityOptions {
    return { agentSocket: socket, files, named: false, identitiesOnly: false, display: (path) => path, ...extra };
  }

  async function offered(opts: IdentityOptions): Promise<{ labels: string[]; keys: Key[] }> {
    const labels: string[] = [];
    const agent = await identityAgent(opts, { offered: (label) => labels.push(label), fail: () => {} });
    return { labels, keys: agent === undefined ? [] : await identities(agent) };
  }

  it("the agent's keys first, then the files it does not hold, each key once; missing defaults skipped", async () => {
    const { labels } = await offered(options(["/nonexistent/id_rsa", locked, inAgent]));
    expect(labels).toEqual([
      "the agent's ssh-ed25519 key (in-agent)",
      "the agent's ssh-ed25519 key (also-in-agent)",
      locked,
    ]);
  });

  it("IdentitiesOnly: of the agent's keys, only the identity files'", async () => {
    const { labels } = await offered(options([inAgent, locked], { identitiesOnly: true }));
    expect(labels).toEqual(["the agent's ssh-ed25519 key (in-agent)", locked]);
  });

  it("no agent, no file: nothing to offer; a named file that cannot be read is an error naming it", async () => {
    expect((await offered(options(["/nonexistent/id_rsa"], { agentSocket: undefined }))).keys).toEqual([]);
    await expect(offered(options(["/nonexistent/key"], { named: true }))).rejects.toThrow(
      "cannot read the private key /nonexistent/key: no such file (ENOENT)",
    );
  });

  it("a locked key: its passphrase asked only to sign, again after a wrong one, then never; it verifies", async () => {
    const { asked, askSecret } = person(["wrong", "the passphrase"]);
    const agent = await identityAgent(options([locked], { agentSocket: undefined, askSecret }), {
      offered: () => {},
      fail: () => {},
    });
    const [key] = await identities(agent as TestAgent);
    expect(asked).toEqual([]);
    const data = Buffer.from("session data");
    const first = await sign(agent as TestAgent, key as Key, data);
    const second = await sign(agent as TestAgent, key as Key, data);
    expect(asked).toEqual([`Enter passphrase for key '${locked}': `, `Enter passphrase for key '${locked}': `]);
    const pub = parseKey(readFileSync(`${locked}.pub`));
    expect([pub.verify(data, first), pub.verify(data, second)]).toEqual([true, true]);
  });

  it("Enter skips the key (a signature no server accepts); a closed prompt ends the login, saying so", async () => {
    const failures: InputError[] = [];
    const report = { offered: () => {}, fail: (error: InputError) => failures.push(error) };
    const skipping = await identityAgent(
      options([locked], { agentSocket: undefined, askSecret: async () => "" }),
      report,
    );
    const [key] = await identities(skipping as TestAgent);
    const declined = await sign(skipping as TestAgent, key as Key, Buffer.from("x"));
    expect(parseKey(readFileSync(`${locked}.pub`)).verify(Buffer.from("x"), declined)).not.toBe(true);
    const closed = await identityAgent(
      options([locked], { agentSocket: undefined, askSecret: async () => undefined }),
      report,
    );
    await expect(sign(closed as TestAgent, key as Key, Buffer.from("x"))).rejects.toThrow(
      `passphrase for ${locked}: none given (the prompt was closed)`,
    );
    expect(failures.map((error) => error instanceof InputError)).toEqual([true]);
  });

  it("WXDEV_SSH_PASSPHRASE's value unlocks without asking; a copy held by the agent needs no passphrase", async () => {
    const { asked, askSecret } = person([]);
    const given = await identityAgent(
      options([locked], { agentSocket: undefined, passphrase: "the passphrase", askSecret }),
      { offered: () => {}, fail: () => {} },
    );
    const [key] = await identities(given as TestAgent);
    await sign(given as TestAgent, key as Key, Buffer.from("y"));
    const copy = join(temp("wxdev-identity-copy-"), "id_ed25519");
    copyFileSync(inAgent, copy);
    execFileSync("ssh-keygen", ["-q", "-p", ...passphraseOptions("another"), "-f", copy]);
    copyFileSync(`${inAgent}.pub`, `${copy}.pub`);
    const viaAgent = await identityAgent(options([copy], { askSecret }), { offered: () => {}, fail: () => {} });
    const keys = await identities(viaAgent as TestAgent);
    expect(keys).toHaveLength(2);
    await sign(viaAgent as TestAgent, keys[0] as Key, Buffer.from("z"));
    expect(asked).toEqual([]);
  });
});
