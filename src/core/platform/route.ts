import type { IncomingMessage, ServerResponse } from "node:http";
import { readBody } from "../support/http-body.js";
import type { Pusher } from "./pusher.js";
import type { PlatformStore } from "./store.js";
import { type Outcome, parseJsonBody, type Reply } from "./transport.js";

/** A JSON API body is a few KB; more is refused with 413 (media uploads have their own limit). */
export const MAX_JSON_BYTES = 256 * 1024;

/** One request as a route sees it. */
export class Call {
  private bodyText?: Promise<string>;
  /** What the rid log keeps of the body (set by routes that read it another way, such as uploads). */
  recordedBody = "";

  constructor(
    readonly request: IncomingMessage,
    readonly url: URL,
    readonly clientIp: string,
  ) {}

  get query(): URLSearchParams {
    return this.url.searchParams;
  }

  /** The body as UTF-8, read once, at most `limit` bytes (BodyTooLarge past it). */
  text(limit = MAX_JSON_BYTES): Promise<string> {
    this.bodyText ??= readBody(this.request, limit).then((text) => {
      this.recordedBody = text;
      return text;
    });
    return this.bodyText;
  }

  /** The body parsed as JSON, or BAD_JSON. */
  async json(): Promise<unknown> {
    return parseJsonBody(await this.text());
  }
}

/** What every route may use: the store (and its clock), the account's credentials, the pusher, the mock's origin. */
export interface PlatformContext {
  store: PlatformStore;
  appId: string;
  appSecret: string;
  pusher: Pusher;
  /** The 授权回调页面域名 (web authorisation); unset: any domain. */
  callbackDomain?: string;
  /** `http://host:port` of the running mock. */
  origin(): string;
}

/** An API route: JSON in, JSON out, errors with a rid. */
export interface ApiRoute {
  method: "GET" | "POST";
  path: string;
  /** Needs `?access_token=` (every cgi-bin API but the token's own). */
  token?: boolean;
  /** The Content-Type of its error answers (media/get: exactly `text/plain`, which SDKs test for). */
  errorType?: string;
  handle(call: Call): Outcome | Promise<Outcome>;
}

/** A route that writes its own reply (pages, redirects, images, the control endpoints). */
export interface RawRoute {
  method: "GET" | "POST";
  path: string;
  /** Only for requests from this machine (the control endpoints under /_wxdev/). */
  loopbackOnly?: boolean;
  handle(call: Call): Reply | Promise<Reply>;
}

/** A reply that stays open (Server-Sent Events): the route writes to the response itself. */
export interface StreamReply extends Reply {
  stream(response: ServerResponse): void;
}
