import type { HttpFailure } from "./http.js";
import type { TargetOrigin } from "./target.js";
import { mask } from "../support/redact.js";

/** What explaining a failed request may use: the request, the Token it was signed with, where the target came from. */
export interface RequestContext {
  method: "GET" | "POST";
  /** The signature sent, for comparing with the one the server computed. */
  signature: string;
  token?: string;
  origin?: TargetOrigin;
}

const REDIRECT = "a redirect: WeChat does not follow redirects (a trailing-slash location or http→https rule?)";
const PROXY = "the proxy could not reach the app (is it running, on the port nginx expects?)";

/** What each HTTP status most often means for a WeChat callback URL. */
const STATUS_CAUSES: Record<number, (request: RequestContext) => string> = {
  301: () => REDIRECT,
  302: () => REDIRECT,
  308: () => REDIRECT,
  401: rejectedSignature,
  403: rejectedSignature,
  404: () => "nothing at that path (check the path, e.g. /wechat8013, and the nginx location)",
  405: (request) => `the server does not accept ${request.method} at this path`,
  500: (request) => `the app raised an exception handling it: the traceback is in its log (${logsOf(request.origin)})`,
  502: () => PROXY,
  504: () => PROXY,
};

function rejectedSignature(request: RequestContext): string {
  const differ = "if your server computed another, the Tokens differ";
  return `the server rejected the signature. ${signedWith(request)}; ${differ}`;
}

/** "wxdev signed with Token ab****yz (14 chars) from WXDEV_TOKEN: signature=…", for comparing with the server's. */
export function signedWith({ signature, token, origin }: Omit<RequestContext, "method">): string {
  if (token === undefined) return `wxdev signed with its token: signature=${signature}`;
  const from = origin?.tokenFrom ? ` from ${origin.tokenFrom}` : "";
  return `wxdev signed with Token ${mask(token)}${from}: signature=${signature}`;
}

function logsOf(origin?: TargetOrigin): string {
  return origin?.server ? `wxdev logs ${origin.server}` : "the terminal running it, e.g. python3 wechat.py";
}

/** Explains a non-200 answer to a signed callback. */
export function explainStatus(status: number, request: RequestContext): string {
  const cause = STATUS_CAUSES[status];
  if (cause !== undefined) return `HTTP ${status}: ${cause(request)}`;
  return `HTTP ${status}: WeChat needs 200${request.method === "GET" ? " with the echostr" : ""}`;
}

/** Explains why no answer came: what to start, or what to check in the URL. */
export function explainUnreachable(failure: HttpFailure, origin?: TargetOrigin): string {
  if (failure.cause === "dns") return `${failure.message}: check the host in the URL`;
  if (failure.cause !== "refused") return failure.message;
  if (failure.https === true) return `${failure.message}: is the scheme right? http:// is port 80`;
  if (failure.webPort === true) {
    // Port 80 is the web server's (nginx), in front of the app: the app itself may well be up.
    const fix = failure.loopback
      ? "start it here (e.g. sudo systemctl start nginx), or try the app's own port (http://127.0.0.1:8013/…)"
      : `tell whoever runs that server${origin?.server ? ` (your app may be up: wxdev status ${origin.server})` : ""}`;
    return `${failure.message}: the web server in front of the app (nginx) is not running there: ${fix}`;
  }
  const start = origin?.server ? `wxdev start ${origin.server}` : "python3 wechat.py";
  return `${failure.message}: is the app running? Start it: ${start}`;
}
