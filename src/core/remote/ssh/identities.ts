import { readFileSync } from "node:fs";
import { InputError } from "../../support/errors.js";
import { readProblem } from "../../support/read-file.js";

/** Asks a person for a secret; resolves undefined when they gave none (Ctrl-D, a closed terminal). */
export type AskSecret = (prompt: string) => Promise<string | undefined>;

/** ssh2's parsed key (public, or private once decrypted). */
interface ParsedKey {
  type: string;
  comment?: string;
  getPublicSSH(): Buffer;
  isPrivateKey(): boolean;
  sign(data: Buffer, hash?: string): Buffer | Error;
}

type SignCallback = (error: Error | null, signature?: Buffer) => void;

/** What ssh2 wants of an agent (its BaseAgent); ssh2 ships no types of its own. */
interface Agent {
  getIdentities(callback: (error: Error | null, keys?: ParsedKey[]) => void): void;
  sign(key: ParsedKey, data: Buffer, options: { hash?: string }, callback: SignCallback): void;
}

interface Ssh2 {
  BaseAgent: new () => Agent;
  OpenSSHAgent: new (socket: string) => Agent;
  utils: { parseKey(data: Buffer | string, passphrase?: string): ParsedKey | ParsedKey[] | Error };
}

/** ssh2, node-ssh's own SSH library, loaded with the connection (identityAgent) rather than at import. */
let loaded: Ssh2 | undefined;
const ssh2 = (): Ssh2 => {
  if (loaded === undefined) throw new Error("ssh2 is used before identityAgent loaded it");
  return loaded;
};

function parse(data: Buffer | string, passphrase?: string): ParsedKey | Error {
  const parsed = ssh2().utils.parseKey(data, passphrase);
  return Array.isArray(parsed) ? (parsed[0] ?? new Error("no key in the file")) : parsed;
}

/** How many times a passphrase is asked for one key, as ssh's NumberOfPasswordPrompts. */
const PASSPHRASE_TRIES = 3;

/** One key to offer: its public half, where it is from, and how to sign with it. */
interface Identity {
  key: ParsedKey;
  /** "the agent's ssh-ed25519 key (tom@laptop)" or the file's path. */
  label: string;
  sign(data: Buffer, hash: string | undefined): Promise<Buffer>;
}

/** Where an identity file's secrets come from: a passphrase given beforehand, and a person to ask. */
export interface IdentitySecrets {
  passphrase?: string;
  askSecret?: AskSecret;
}

/**
 * The keys a login offers, as OpenSSH orders them: the agent's (those of the identity files only, with
 * IdentitiesOnly), then the identity files the agent does not hold. A file's passphrase is asked for only when the
 * server accepts its public key (the .pub beside it), once per key.
 */
export interface IdentityOptions extends IdentitySecrets {
  agentSocket?: string;
  files: string[];
  /** Files the user named: one that cannot be read is an error; a missing default is skipped. */
  named: boolean;
  identitiesOnly: boolean;
  /** Shows a path with the home directory as ~. */
  display: (path: string) => string;
}

/** Told what the login offered (for the failure message), and of an error that ends it (a closed prompt). */
export interface IdentityReport {
  offered(label: string): void;
  fail(error: InputError): void;
}

/**
 * An ssh2 agent over the SSH agent and the identity files together, so one auth step offers every key in
 * OpenSSH's order, each once, and signing may wait for a passphrase. Resolves undefined when there is no key.
 */
export async function identityAgent(options: IdentityOptions, report: IdentityReport): Promise<Agent | undefined> {
  loaded ??= ((await import("ssh2")) as { default: Ssh2 }).default;
  const agent = options.agentSocket ? new (ssh2().OpenSSHAgent)(options.agentSocket) : undefined;
  const files: Identity[] = [];
  for (const path of options.files) {
    const file = await fileIdentity(path, options);
    // A named key that stays locked is not offered, but the failure's list of what was tried says why.
    if (file === "locked") report.offered(`${options.display(path)} (locked, and no passphrase given)`);
    else if (file !== undefined) files.push(file);
  }
  const held = agent === undefined ? [] : await agentKeys(agent);
  const blob = (key: ParsedKey): string => key.getPublicSSH().toString("base64");
  const fileBlobs = new Set(files.map((file) => blob(file.key)));
  const fromAgent = held
    .filter((key) => !options.identitiesOnly || fileBlobs.has(blob(key)))
    .map((key): Identity => {
      const label = `the agent's ${key.type} key${key.comment ? ` (${key.comment})` : ""}`;
      return { key, label, sign: (data, hash) => agentSign(agent as Agent, key, data, hash) };
    });
  const heldBlobs = new Set(held.map(blob));
  const identities = [...fromAgent, ...files.filter((file) => !heldBlobs.has(blob(file.key)))];
  if (identities.length === 0) return undefined;
  const { BaseAgent } = ssh2();
  return new (class extends BaseAgent {
    override getIdentities(callback: (error: Error | null, keys?: ParsedKey[]) => void): void {
      for (const identity of identities) report.offered(identity.label);
      callback(
        null,
        identities.map((identity) => identity.key),
      );
    }
    override sign(key: ParsedKey, data: Buffer, signOptions: { hash?: string }, callback: SignCallback): void {
      const identity = identities.find((candidate) => candidate.key.getPublicSSH().equals(key.getPublicSSH()));
      if (identity === undefined) {
        callback(new Error("no such identity"));
        return;
      }
      identity.sign(data, signOptions?.hash).then(
        (signature) => callback(null, signature),
        (error: unknown) => {
          if (error instanceof InputError) report.fail(error);
          callback(error as Error);
        },
      );
    }
  })();
}

/** The agent's keys; an agent that does not answer (a stale SSH_AUTH_SOCK) has none, as ssh goes on without it. */
function agentKeys(agent: Agent): Promise<ParsedKey[]> {
  return new Promise((resolve) => {
    agent.getIdentities((error, keys) => {
      const parsed = error ? [] : (keys ?? []).map((key) => parse(key as unknown as Buffer));
      resolve(parsed.filter((key): key is ParsedKey => !(key instanceof Error)));
    });
  });
}

function agentSign(agent: Agent, key: ParsedKey, data: Buffer, hash: string | undefined): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    agent.sign(key, data, { hash }, (error, signature) =>
      error || signature === undefined ? reject(error ?? new Error("the agent did not sign")) : resolve(signature),
    );
  });
}

/**
 * A signature no server accepts. ssh2 takes an agent's error as the end of the whole login, so a key whose
 * passphrase was not given (Enter at its prompt) answers with this instead, and the login goes on to the next key,
 * as ssh goes on. One zero byte passes ssh2's signature conversion for every key type.
 */
const DECLINED = Buffer.alloc(1);

/**
 * An identity file, read now; undefined (skipped) when it is missing (unless named) or not a key ssh2 reads. An
 * encrypted key without its .pub is unlocked now when it was named ("locked" when it could not be), and otherwise
 * skipped.
 */
async function fileIdentity(path: string, options: IdentityOptions): Promise<Identity | "locked" | undefined> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (cause) {
    if (!options.named) return undefined;
    throw new InputError(`cannot read the private key ${options.display(path)}: ${readProblem(cause)}`, {
      hint: 'fix "privateKey" (or IdentityFile in ~/.ssh/config)',
      input: "identity",
      cause,
    });
  }
  const plain = parse(data);
  const label = options.display(path);
  if (!(plain instanceof Error)) return plain.isPrivateKey() ? { key: plain, label, sign: signWith(plain) } : undefined;
  if (!/passphrase/i.test(plain.message)) return undefined;
  const key = publicHalf(path);
  if (key === undefined) {
    if (!options.named) return undefined;
    const unlocked = await unlock(data, label, options);
    return unlocked === undefined ? "locked" : { key: unlocked, label, sign: signWith(unlocked) };
  }
  let unlocked: Promise<ParsedKey | undefined> | undefined;
  return {
    key,
    label,
    sign: async (signed, hash) => {
      unlocked ??= unlock(data, label, options);
      const privateKey = await unlocked;
      return privateKey === undefined ? DECLINED : signWith(privateKey)(signed, hash);
    },
  };
}

/** The public key beside an encrypted private one (ssh-keygen writes it); without it the key is not offered. */
function publicHalf(path: string): ParsedKey | undefined {
  try {
    const key = parse(readFileSync(`${path}.pub`));
    return key instanceof Error ? undefined : key;
  } catch {
    return undefined;
  }
}

function signWith(key: ParsedKey): (data: Buffer, hash: string | undefined) => Promise<Buffer> {
  return async (data, hash) => {
    const signature = key.sign(data, hash);
    if (signature instanceof Error) throw signature;
    return signature;
  };
}

/**
 * The decrypted key: the given passphrase, else asked for (hidden) up to three times, as ssh asks. Enter (an empty
 * answer) skips the key; a closed prompt (Ctrl-D) ends the login; undefined when skipped or nobody can be asked.
 */
async function unlock(data: Buffer, label: string, secrets: IdentitySecrets): Promise<ParsedKey | undefined> {
  if (secrets.passphrase !== undefined) {
    const key = parse(data, secrets.passphrase);
    if (!(key instanceof Error)) return key;
  }
  if (secrets.askSecret === undefined) return undefined;
  for (let attempt = 0; attempt < PASSPHRASE_TRIES; attempt++) {
    const answer = await secrets.askSecret(`Enter passphrase for key '${label}': `);
    if (answer === undefined)
      throw new InputError(`passphrase for ${label}: none given (the prompt was closed)`, {
        hint: "run again and type it (Enter alone skips the key), or set it beforehand",
        input: "sshPassphrase",
      });
    if (answer === "") return undefined;
    const key = parse(data, answer);
    if (!(key instanceof Error)) return key;
  }
  return undefined;
}
