import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { ServerConfig } from "../config.js";
import { InputError, WxdevError } from "../errors.js";
import { readProblem } from "../read-file.js";

/** Secrets the caller already has (from the environment, a keychain…); the core reads none itself. */
export interface SshCredentials {
  /** The SSH agent's socket (SSH_AUTH_SOCK). */
  agentSocket?: string;
  /** The passphrase of `privateKey`, when it is encrypted. */
  passphrase?: string;
  password?: string;
}

/** Asks a person for a secret; resolves undefined when they gave none (Ctrl-D, a closed terminal). */
export type AskSecret = (prompt: string) => Promise<string | undefined>;

type AuthAttempt =
  | { type: "agent"; username: string; agent: string }
  | { type: "publickey"; username: string; key: Buffer; passphrase?: string }
  | { type: "password"; username: string; password: string };

/** ssh2's authHandler: called again after each refusal, `next(false)` when nothing is left. */
export type AuthHandler = (methodsLeft: unknown, partial: unknown, next: (auth: AuthAttempt | false) => void) => void;

function expandHome(path: string, home: string): string {
  return path.startsWith("~/") ? join(home, path.slice(2)) : path;
}

/** True when the key cannot be read without a passphrase (ssh2's own parser decides, for every key format). */
async function needsPassphrase(key: Buffer): Promise<boolean> {
  const { createRequire } = await import("node:module");
  const ssh2 = createRequire(import.meta.url)("ssh2") as { utils: { parseKey(data: Buffer): unknown } };
  const parsed = ssh2.utils.parseKey(key);
  return parsed instanceof Error && /passphrase/i.test(parsed.message);
}

/** How many times a typed password is asked for, as ssh's NumberOfPasswordPrompts default. */
const PASSWORD_TRIES = 3;

/** A closed prompt ends the login at once, rather than trying on with nothing to try. */
function cancelled(what: string): InputError {
  return new InputError(`${what}: none given (the prompt was closed)`, {
    hint: "run again and type it, or set it beforehand",
  });
}

/**
 * The auth order: the SSH agent, then the configured key (its passphrase asked for if needed), then a password
 * (given, or asked for). `tried` collects the methods offered, `fail` the reason the login stopped early.
 */
export function authHandler(
  server: ServerConfig,
  options: { credentials: SshCredentials; askSecret?: AskSecret; home: string },
  tried: string[],
  fail: (error: WxdevError) => void,
): AuthHandler {
  const { credentials, askSecret } = options;
  const secret = async (given: string | undefined, prompt: string, what: string): Promise<string | undefined> => {
    if (given !== undefined || askSecret === undefined) return given;
    const answer = await askSecret(prompt);
    if (answer === undefined) throw cancelled(what);
    return answer;
  };
  const steps: (() => Promise<AuthAttempt | undefined>)[] = [
    async () =>
      credentials.agentSocket
        ? { type: "agent", username: server.username, agent: credentials.agentSocket }
        : undefined,
    async () => {
      if (server.privateKey === undefined) return undefined;
      const path = expandHome(server.privateKey, options.home);
      let key: Buffer;
      try {
        key = readFileSync(path);
      } catch (cause) {
        throw new InputError(`cannot read the private key ${path}: ${readProblem(cause)}`, {
          hint: `fix "privateKey" in servers config`,
          cause,
        });
      }
      const passphrase = (await needsPassphrase(key))
        ? await secret(credentials.passphrase, `Passphrase for ${path}: `, `passphrase for ${path}`)
        : undefined;
      return { type: "publickey", username: server.username, key, passphrase };
    },
  ];
  // A typed password gets three tries, as ssh gives (NumberOfPasswordPrompts); a given one (the environment) one.
  let asked = 0;
  const password = async (): Promise<AuthAttempt | undefined> => {
    const prompt = `${server.username}@${server.host}'s password: `;
    const answer = await secret(
      credentials.password,
      asked > 0 ? `Permission denied, please try again.\n${prompt}` : prompt,
      `password for ${server.username}@${server.host}`,
    );
    if (credentials.password === undefined && askSecret !== undefined && ++asked < PASSWORD_TRIES) steps.push(password);
    return answer === undefined || answer === ""
      ? undefined
      : { type: "password", username: server.username, password: answer };
  };
  steps.push(password);
  return (_left, _partial, next) => {
    const advance = async (): Promise<void> => {
      for (let step = steps.shift(); step !== undefined; step = steps.shift()) {
        const attempt = await step();
        if (attempt !== undefined) {
          tried.push(attempt.type === "publickey" ? "key" : attempt.type);
          return next(attempt);
        }
      }
      next(false);
    };
    advance().catch((error: unknown) => {
      fail(
        error instanceof WxdevError
          ? error
          : new InputError(String(error), { hint: "check the servers config", cause: error }),
      );
      next(false);
    });
  };
}
