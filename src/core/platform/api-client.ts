import { CheckFailedError } from "../support/errors.js";
import { OAuthClient } from "../oauth/client.js";
import { OAuthApiError } from "../oauth/errors.js";
import { redactSecrets } from "../support/redact.js";

export interface PlatformClientOptions {
  appId: string;
  appSecret: string;
  /** https://api.weixin.qq.com, or a mock's origin. */
  apiBase?: string;
  timeoutMs?: number;
  now?: () => number;
}

/**
 * The account's side of the platform API for `wxdev menu`: the access token fetched once and kept in memory
 * for its life (never written anywhere), then JSON calls with it; an errcode is a typed OAuthApiError.
 */
export class PlatformClient {
  private readonly tokens: OAuthClient;
  private readonly base: string;
  private token?: { value: string; until: number };

  constructor(private readonly options: PlatformClientOptions) {
    this.tokens = new OAuthClient({ ...options, timeoutMs: options.timeoutMs ?? 10_000 });
    this.base = (options.apiBase ?? "https://api.weixin.qq.com").replace(/\/+$/, "");
  }

  /** The access token, fetched on first use and again only when less than a minute of it is left. */
  private async accessToken(): Promise<string> {
    const now = (this.options.now ?? Date.now)();
    if (this.token !== undefined && this.token.until > now) return this.token.value;
    const fresh = await this.tokens.clientToken();
    this.token = { value: fresh.access_token, until: now + (fresh.expires_in - 60) * 1000 };
    return fresh.access_token;
  }

  /** GET or POST (with a JSON body) one API path with the token; the answer's JSON. */
  async call(path: string, body?: unknown): Promise<Record<string, unknown>> {
    const token = await this.accessToken();
    const shownBase = redactSecrets(this.base);
    let text: string;
    try {
      const response = await fetch(`${this.base}${path}?access_token=${encodeURIComponent(token)}`, {
        method: body === undefined ? "GET" : "POST",
        body: body === undefined ? undefined : JSON.stringify(body),
        headers: body === undefined ? undefined : { "Content-Type": "application/json" },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 10_000),
      });
      text = await response.text();
    } catch (cause) {
      const reason = (cause as { cause?: Error }).cause?.message ?? (cause as Error).message;
      throw new CheckFailedError(`cannot reach the API at ${shownBase}: ${redactSecrets(reason, [token])}`, {
        hint: "check the apiBase setting (for the mock: is `wxdev mock` running?)",
        code: "API_UNREACHABLE",
        cause,
      });
    }
    let json: unknown;
    try {
      json = JSON.parse(text);
    } catch {
      throw new CheckFailedError(`the API at ${shownBase} did not answer JSON on ${path}`, { code: "API_NOT_JSON" });
    }
    const answer = json as Record<string, unknown>;
    if (typeof answer.errcode === "number" && answer.errcode !== 0)
      throw new OAuthApiError(answer.errcode, String(answer.errmsg ?? ""));
    return answer;
  }
}
