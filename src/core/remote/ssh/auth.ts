import { InputError, WxdevError } from "../../support/errors.js";
import { type AskSecret, identityAgent } from "./identities.js";
import type { SshLogin } from "./ssh-config.js";

export type { AskSecret } from "./identities.js";

/** Secrets the caller already has (from the environment, a keychain…); the core reads none itself. */
export interface SshCredentials {
  /** The SSH agent's socket (SSH_AUTH_SOCK). */
  agentSocket?: string;
  /** The passphrase of an encrypted identity file, tried before asking. */
  passphrase?: string;
  password?: string;
}

type AuthAttempt =
  | { type: "agent"; username: string; agent: unknown }
  | { type: "password"; username: string; password: string };

/** ssh2's authHandler: called again after each refusal, `next(false)` when nothing is left. */
export type AuthHandler = (methodsLeft: unknown, partial: unknown, next: (auth: AuthAttempt | false) => void) => void;

/** How many times a typed password is asked for, as ssh's NumberOfPasswordPrompts default. */
const PASSWORD_TRIES = 3;

/** What the login needs from outside: the secrets given, a person to ask, and how to show a path. */
export interface AuthOptions {
  credentials: SshCredentials;
  askSecret?: AskSecret;
  /** Shows a path with the home directory as ~ (in prompts and the list of what was tried). */
  display: (path: string) => string;
}

/**
 * OpenSSH's order: the public keys (the agent's, then the identity files', a passphrase asked for when the server
 * accepts a key), then a password (given, or asked for). `tried` collects what was offered, `fail` the reason the
 * login stopped early.
 */
export function authHandler(
  login: SshLogin,
  options: AuthOptions,
  tried: string[],
  fail: (error: WxdevError) => void,
): AuthHandler {
  const { credentials, askSecret } = options;
  const { username } = login;
  const steps: (() => Promise<AuthAttempt | undefined>)[] = [
    async () => {
      const agent = await identityAgent(
        {
          agentSocket: credentials.agentSocket,
          files: login.identityFiles,
          named: login.identitiesNamed,
          identitiesOnly: login.identitiesOnly,
          passphrase: credentials.passphrase,
          askSecret,
          display: options.display,
        },
        { offered: (label) => tried.push(label), fail },
      );
      return agent === undefined ? undefined : { type: "agent", username, agent };
    },
  ];
  // A typed password gets three tries, as ssh gives (NumberOfPasswordPrompts); a given one (the environment) one.
  let asked = 0;
  const password = async (): Promise<AuthAttempt | undefined> => {
    const prompt = `${username}@${login.host}'s password: `;
    let answer = credentials.password;
    if (answer === undefined && askSecret !== undefined) {
      answer = await askSecret(asked > 0 ? `Permission denied, please try again.\n${prompt}` : prompt);
      if (answer === undefined)
        throw new InputError(`password for ${username}@${login.host}: none given (the prompt was closed)`, {
          hint: "run again and type it, or set it beforehand",
        });
      if (++asked < PASSWORD_TRIES) steps.push(password);
    }
    if (answer === undefined || answer === "") return undefined;
    tried.push("password");
    return { type: "password", username, password: answer };
  };
  steps.push(password);
  return (_left, _partial, next) => {
    const advance = async (): Promise<void> => {
      for (let step = steps.shift(); step !== undefined; step = steps.shift()) {
        const attempt = await step();
        if (attempt !== undefined) return next(attempt);
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
