import type { IncomingMessage } from "node:http";
import { servePage } from "../support/web-assets.js";
import type { Reply } from "./transport.js";

/** Where the mock serves the phone page (a follower's chat with the account). */
export const PHONE_PATH = "/phone";

/** The mock's pages (the phone), as replies; undefined for a path that is no page's. */
export function pageReplies(): (request: IncomingMessage, path: string) => Reply | undefined {
  const phone = servePage("phone", PHONE_PATH);
  return (request, path) => {
    if (request.method !== "GET" && request.method !== "HEAD") return undefined;
    const header = request.headers["if-none-match"];
    const answer = phone(path, typeof header === "string" ? header : undefined);
    if (answer === undefined) return undefined;
    const { "Content-Type": type = "text/plain; charset=utf-8", ...headers } = answer.headers;
    return { status: answer.status, type, headers, body: request.method === "HEAD" ? "" : answer.body };
  };
}
