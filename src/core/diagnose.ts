/** An error makes WeChat drop the reply; a warning is accepted but fragile (protocol §4). */
export type Severity = "error" | "warning";

/** One thing wrong with an answer, with a stable code and advice in the message. */
export interface Problem {
  severity: Severity;
  code: string;
  message: string;
}

/** An error-level problem: WeChat would not accept the answer. */
export const errorProblem = (code: string, message: string): Problem => ({ severity: "error", code, message });

/** A warning-level problem: accepted, but fragile. */
export const warningProblem = (code: string, message: string): Problem => ({ severity: "warning", code, message });

/** True when a body is an HTML page (a framework error or login page) rather than what WeChat expects. */
export function looksLikeHtml(body: string): boolean {
  return /^<(!doctype\s+html|html)/i.test(body.trim());
}

const REDIRECT = "a redirect: WeChat does not follow redirects (a trailing-slash location or http→https rule?)";
const PROXY = "the proxy could not reach the app (is it running, on the port nginx expects?)";

/** What each HTTP status most often means for a WeChat callback URL. */
const STATUS_CAUSES: Record<number, (signature: string, method: string) => string> = {
  301: () => REDIRECT,
  302: () => REDIRECT,
  308: () => REDIRECT,
  401: (signature) => rejectedSignature(signature),
  403: (signature) => rejectedSignature(signature),
  404: () => "nothing at that path (check the path, e.g. /wechat8013, and the nginx location)",
  405: (_signature, method) => `the server does not accept ${method} at this path`,
  502: () => PROXY,
  504: () => PROXY,
};

function rejectedSignature(signature: string): string {
  return (
    `the server rejected the signature. wxdev signed with its token: signature=${signature};` +
    " if your server computed another, the Tokens differ"
  );
}

/** Explains a non-200 answer to a signed callback (`signature` is the one sent, for comparing with the server's). */
export function explainStatus(status: number, request: { method: "GET" | "POST"; signature: string }): string {
  const cause = STATUS_CAUSES[status];
  if (cause !== undefined) return `HTTP ${status}: ${cause(request.signature, request.method)}`;
  return `HTTP ${status}: WeChat needs 200${request.method === "GET" ? " with the echostr" : ""}`;
}
