import type { MessageCrypto } from "../wire/crypto.js";
import { InputError } from "../support/errors.js";
import { MissingSettingError } from "../config/settings.js";
import { DEFAULT_MODE, type Mode } from "../wire/modes.js";

/** WeChat's deadline for an answer (protocol §1). */
export const WECHAT_TIMEOUT_MS = 5_000;

/** The modes that encrypt: they cannot exist without a MessageCrypto. */
export type EncryptedMode = Exclude<Mode, "plain">;

/** Where the CLI found a target's settings, so a failure can say what to check. */
export interface TargetOrigin {
  /** Where the Token came from: `--token`, `WXDEV_TOKEN` or the config file's path. */
  readonly tokenFrom?: string;
  /** The server under "servers" in wxdev.config.json that the URL belongs to, e.g. `s8013`. */
  readonly server?: string;
}

interface Endpoint {
  /** The callback URL as given. */
  readonly url: string;
  readonly token: string;
  readonly timeoutMs: number;
  readonly origin?: TargetOrigin;
  /**
   * The normalised URL when it has no query or fragment, so signing only appends one (load mode
   * signs the same URL thousands of times a second); undefined otherwise.
   */
  readonly bareUrl: string | undefined;
}

/**
 * A server to send callbacks to, as WeChat would: where, with which Token, in which mode, how long
 * to wait. The mode decides whether crypto exists; plain mode may carry one for switching modes.
 */
export type Target =
  | (Endpoint & { readonly mode: "plain"; readonly crypto?: MessageCrypto })
  | (Endpoint & { readonly mode: EncryptedMode; readonly crypto: MessageCrypto });

/** What `createTarget` needs; mode defaults to plain, the deadline to WeChat's 5 s. */
export interface TargetOptions {
  url: string;
  token: string;
  mode?: Mode;
  crypto?: MessageCrypto;
  timeoutMs?: number;
  origin?: TargetOrigin;
}

/** Checks a callback URL once, so every command gives the same clear error; returns it parsed. */
function parseTargetUrl(url: string): URL {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch (cause) {
    throw new InputError(`${JSON.stringify(url)} is not a URL`, {
      hint: "pass the full callback URL, e.g. http://127.0.0.1:8013/wechat8013",
      cause,
    });
  }
  if (parsed.protocol !== "http:" && parsed.protocol !== "https:") {
    throw new InputError(`${url} is not an http(s) URL`, {
      hint: "WeChat calls http:// (port 80) or https:// (port 443) URLs",
    });
  }
  return parsed;
}

/** The one way to make a Target: validates the URL, and that an encrypting mode has its crypto. */
export function createTarget(options: TargetOptions): Target {
  const parsed = parseTargetUrl(options.url);
  const endpoint: Endpoint = {
    url: options.url,
    token: options.token,
    timeoutMs: options.timeoutMs ?? WECHAT_TIMEOUT_MS,
    origin: options.origin,
    bareUrl: /[?#]/.test(parsed.href) ? undefined : parsed.href,
  };
  const mode = options.mode ?? DEFAULT_MODE;
  if (mode === "plain") return { ...endpoint, mode, crypto: options.crypto };
  if (options.crypto === undefined)
    throw new MissingSettingError(["aesKey", "appId"], `${mode} mode needs the EncodingAESKey and appId`);
  return { ...endpoint, mode, crypto: options.crypto };
}

/** The same target in another mode (an encrypting mode needs the target's crypto). */
export function withMode(target: Target, mode: Mode): Target {
  return createTarget({ ...target, mode });
}

/** Appends query parameters to a URL that may already have some. */
export function withQuery(url: string, query: Record<string, string>): string {
  const parsed = new URL(url);
  for (const [key, value] of Object.entries(query)) parsed.searchParams.set(key, value);
  return parsed.toString();
}

/** The target's URL with a (signed) query appended. */
export function targetUrl(target: Target, query: Record<string, string>): string {
  if (target.bareUrl !== undefined) return `${target.bareUrl}?${new URLSearchParams(query).toString()}`;
  return withQuery(target.url, query);
}
