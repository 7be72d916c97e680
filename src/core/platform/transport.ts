/** What the mock writes back for one request, before it goes on the wire. */
export interface Reply {
  status: number;
  type: string;
  body: string | Buffer;
  headers?: Record<string, string>;
  /** For the log: what happened (an errcode, a redirect), never a secret. */
  note?: string;
}

/** The API's JSON Content-Type, as the platform sends it (sic: `encoding=`, not `charset=`). */
export const API_JSON_TYPE = "application/json; encoding=utf-8";

/** JSON as the platform writes it: UTF-8 kept raw, every `/` escaped as `\/` (`"url":"http:\/\/…"`). */
export function platformJson(value: unknown): string {
  return JSON.stringify(value).replace(/\//g, "\\/");
}

/** What an API route decides: an answer, an error (errcode and, for the rid log, why), or a reply of its own. */
export type Outcome =
  | { kind: "json"; body: Record<string, unknown> }
  | { kind: "error"; errcode: number; errmsg?: string; why?: string }
  | { kind: "raw"; reply: Reply };

/** A successful answer. */
export const ok = (body: Record<string, unknown>): Outcome => ({ kind: "json", body });

/** `{"errcode":0,"errmsg":"ok"}` plus fields: the action APIs' success. */
export const done = (extra: Record<string, unknown> = {}): Outcome => ok({ errcode: 0, errmsg: "ok", ...extra });

/** An error answer; `why` is what the mock found, kept for `openapi/rid/get` and the log. */
export const fail = (errcode: number, why?: string, errmsg?: string): Outcome => ({
  kind: "error",
  errcode,
  why,
  errmsg,
});

/** A reply the route writes itself (media bytes, a PNG, a page, a redirect). */
export const raw = (reply: Reply): Outcome => ({ kind: "raw", reply });

/** A fixed, short plain-text answer: what strangers and bad requests get. */
export const text = (status: number, body: string, note?: string): Reply => ({
  status,
  type: "text/plain; charset=utf-8",
  body,
  note,
});

/** Bytes of a string as UTF-8 (the platform's limits count bytes). */
export const utf8Bytes = (value: string): number => Buffer.byteLength(value, "utf8");

/** A JSON body that did not parse (47001), told apart from a parsed `null`. */
export const BAD_JSON: unique symbol = Symbol("bad JSON");

/** Parses a request body as JSON; BAD_JSON when it is not. */
export function parseJsonBody(body: string): unknown {
  try {
    return JSON.parse(body);
  } catch {
    return BAD_JSON;
  }
}

/** A plain object (not an array, not null), for reading a JSON body's fields. */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
