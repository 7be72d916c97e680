import { randomBytes } from "node:crypto";
import { explainStatus, explainUnreachable, signedWith } from "./diagnose.js";
import { errorProblem as error, looksLikeHtml, type Problem } from "../wire/problem.js";
import { InputError } from "../support/errors.js";
import { makeNonce, makeTimestamp, signature } from "../wire/signature.js";
import { forgedToken } from "./forgery.js";
import { httpRequest } from "./http.js";
import { targetUrl, type Target } from "./target.js";

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

/** Explains why a body is not exactly the echostr. */
function explainBody(body: string, echostr: string, signed: string): Problem {
  // Many servers answer 200 with nothing (or "error") when their own signature check fails.
  const tokenHint = `; if the server checks the signature, compare: ${signed} (another value means the Tokens differ)`;
  const trimmed = body.trim();
  if (trimmed === echostr)
    return error("whitespace", "the body has whitespace or a newline around echostr; answer echostr exactly");
  if (trimmed === `"${echostr}"` || trimmed === `'${echostr}'`)
    return error("quoted", "the body is echostr in quotes (a JSON string?); answer the bare text");
  if (looksLikeHtml(trimmed))
    return error("html", "the body is an HTML page (a framework error or login page), not echostr");
  if (trimmed === "") return error("empty", `the body is empty: the server did not answer echostr${tokenHint}`);
  if (trimmed.includes(echostr))
    return error("extra", "the body contains echostr but also other text; answer echostr alone");
  return error("mismatch", `the body is ${JSON.stringify(trimmed.slice(0, 80))}, not echostr${tokenHint}`);
}

/**
 * Performs the URL-validation GET against a target and checks the body is exactly the echostr.
 * `badSignature` signs it with another Token, as a forger would (replay sends a recorded forgery so).
 */
export async function handshake(
  target: Target,
  options: { echostr?: string; badSignature?: boolean } = {},
): Promise<HandshakeResult> {
  if (options.echostr === "")
    throw new InputError("the echostr is empty", {
      hint: "WeChat always sends a non-empty echostr; leave it out for a random one",
      input: "echostr",
    });
  const timestamp = makeTimestamp();
  const nonce = makeNonce();
  const echostr = options.echostr ?? String(randomBytes(8).readBigUInt64BE(0) % 10n ** 19n);
  const sig = signature(options.badSignature ? forgedToken(target.token) : target.token, timestamp, nonce);
  const url = targetUrl(target, { signature: sig, timestamp, nonce, echostr });
  const http = await httpRequest({ method: "GET", url, timeoutMs: target.timeoutMs });
  const result = { url, status: http.status, latencyMs: http.latencyMs, echostr, body: http.body, signature: sig };
  const problems: Problem[] = [];
  if (http.failure !== undefined) {
    const message = explainUnreachable(http.failure, target.origin);
    problems.push(error(http.failure.kind === "timeout" ? "timeout" : "unreachable", message));
  } else if (http.status !== 200) {
    const request = { method: "GET", signature: sig, token: target.token, origin: target.origin } as const;
    problems.push(error("status", explainStatus(http.status, request)));
  } else if (http.body !== echostr) {
    problems.push(
      explainBody(http.body, echostr, signedWith({ signature: sig, token: target.token, origin: target.origin })),
    );
  }
  return { ...result, problems, ok: problems.length === 0 };
}
