import { randomBytes } from "node:crypto";
import { InputError } from "../errors.js";
import type { Problem } from "../reply.js";
import { makeNonce, makeTimestamp, signature } from "../signature.js";
import { withQuery } from "./callback.js";
import { send } from "./http.js";
import { WECHAT_TIMEOUT_MS } from "./exchange.js";

/** The platform's "verify server address" GET, judged. */
export interface HandshakeResult {
  ok: boolean;
  url: string;
  status: number;
  latencyMs: number;
  echostr: string;
  body: string;
  /** The signature sent, so a student can compare it with what their server computed. */
  signature: string;
  problems: Problem[];
}

const error = (code: string, message: string): Problem => ({ severity: "error", code, message });

/** Explains why a body is not exactly the echostr. */
function explainBody(body: string, echostr: string, sig: string): Problem {
  // Many servers answer 200 with nothing (or "error") when their own signature check fails.
  const tokenHint =
    `; if the server checks the signature, compare: wxdev signed with signature=${sig}` +
    " (another value means the Tokens differ)";
  const trimmed = body.trim();
  if (trimmed === echostr)
    return error("whitespace", "the body has whitespace or a newline around echostr; answer echostr exactly");
  if (trimmed === `"${echostr}"` || trimmed === `'${echostr}'`)
    return error("quoted", "the body is echostr in quotes (a JSON string?); answer the bare text");
  if (/^<(!doctype\s+html|html)/i.test(trimmed))
    return error("html", "the body is an HTML page (a framework error or login page), not echostr");
  if (trimmed === "") return error("empty", `the body is empty: the server did not answer echostr${tokenHint}`);
  if (trimmed.includes(echostr))
    return error("extra", "the body contains echostr but also other text; answer echostr alone");
  return error("mismatch", `the body is ${JSON.stringify(trimmed.slice(0, 80))}, not echostr${tokenHint}`);
}

/** Performs the URL-validation GET and checks the body is exactly the echostr. */
export async function handshake(options: {
  url: string;
  token: string;
  timeoutMs?: number;
  echostr?: string;
}): Promise<HandshakeResult> {
  if (options.echostr === "")
    throw new InputError(
      "--echostr is empty",
      "WeChat always sends a non-empty echostr; leave --echostr out for a random one",
    );
  const timestamp = makeTimestamp();
  const nonce = makeNonce();
  const echostr = options.echostr ?? String(randomBytes(8).readBigUInt64BE(0) % 10n ** 19n);
  const sig = signature(options.token, timestamp, nonce);
  const url = withQuery(options.url, { signature: sig, timestamp, nonce, echostr });
  const http = await send({ method: "GET", url, timeoutMs: options.timeoutMs ?? WECHAT_TIMEOUT_MS });
  const result = { url, status: http.status, latencyMs: http.latencyMs, echostr, body: http.body, signature: sig };
  const problems: Problem[] = [];
  if (http.failure !== undefined) {
    problems.push(error(http.failure.kind === "timeout" ? "timeout" : "unreachable", http.failure.message));
  } else if (http.status !== 200) {
    problems.push(error("status", statusExplanation(http.status, sig)));
  } else if (http.body !== echostr) {
    problems.push(explainBody(http.body, echostr, sig));
  }
  return { ...result, problems, ok: problems.length === 0 };
}

function statusExplanation(status: number, sig: string): string {
  switch (status) {
    case 301:
    case 302:
    case 308: {
      const guess = "a trailing-slash location or http→https rule?";
      return `HTTP ${status} redirect: WeChat does not follow redirects (${guess})`;
    }
    case 401:
    case 403:
      return (
        `HTTP ${status}: the server rejected the signature. wxdev signed with its token: signature=${sig};` +
        " if your server computed another, the Tokens differ"
      );
    case 404:
      return "HTTP 404: nothing at that path (check the path, e.g. /wechat8013, and the nginx location)";
    case 405:
      return "HTTP 405: the server does not accept GET at this path";
    case 502:
    case 504:
      return `HTTP ${status}: the proxy could not reach the app (is it running, on the port nginx expects?)`;
    default:
      return `HTTP ${status}: WeChat needs 200 with the echostr`;
  }
}
