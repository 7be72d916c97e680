/**
 * One exchange explained as WeChat's protocol reads it: both signatures checked with the Token (and, where wrong,
 * which input differs), the message decrypted beside its ciphertext, its fields, the answer decrypted, the verdicts
 * `simulate` gives an answer, and the commands that send it again.
 */
import { judgeAnswer } from "../client/exchange.js";
import { type Problem, warningProblem } from "../wire/problem.js";
import { queryOf } from "../wire/exchange-record.js";
import type { Mode } from "../wire/modes.js";
import { msgSignature, sha1Hex, signature } from "../wire/signature.js";
import type { XmlRecord, XmlValue } from "../wire/xml.js";
import { type InspectKeys, openRecordReply, openRecordRequest } from "./open.js";
import type { ExchangeSummary, InspectEntry } from "./store.js";

/** One of the two signatures, checked. */
export interface SignatureVerdict {
  name: "signature" | "msg_signature";
  /** What it covers, sorted and joined before SHA-1. */
  covers: string;
  given?: string;
  /** What it should be with this Token (absent without a Token). */
  expected?: string;
  ok: boolean;
  /** Why it is wrong: which input differs. */
  why?: string;
}

export interface ExchangeDetail {
  summary: ExchangeSummary;
  /** The request's query, parameter by parameter, as received. */
  query: [string, string][];
  signatures: SignatureVerdict[];
  mode: Mode;
  body: string;
  ciphertext?: string;
  /** The message in plaintext (decrypted in safe/compat mode). */
  plaintext?: string;
  appId?: string;
  /** Why the message could not be read. */
  requestProblem?: string;
  /** The message's fields, nested ones by path (`Articles/item[1]/Title`). */
  fields: [string, string][];
  reply: { raw: string; decrypted?: string; problem?: string };
  /** What `simulate` would say of the answer (errors and warnings, each with its code); undefined: nothing to judge. */
  problems?: Problem[];
  /** Set when the record holds part of the body or reply: their sizes in bytes. */
  truncated?: { body: number; reply: number };
  commands: { simulate?: string; curl?: string };
}

/** A word for the shell, quoted so that nothing in it is read by the shell. */
export function shellQuote(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replaceAll("'", `'\\''`)}'`;
}

function flatten(value: XmlValue, path: string, into: [string, string][]): void {
  if (typeof value === "string") into.push([path, value]);
  else if (Array.isArray(value))
    for (const [index, item] of value.entries()) flatten(item, `${path}[${index + 1}]`, into);
  else for (const [name, inner] of Object.entries(value)) flatten(inner, path === "" ? name : `${path}/${name}`, into);
}

function fieldsOf(message: XmlRecord | undefined): [string, string][] {
  const fields: [string, string][] = [];
  if (message !== undefined) flatten(message, "", fields);
  return fields;
}

function signatureVerdict(token: string | undefined, query: URLSearchParams, encrypt?: string): SignatureVerdict {
  const timestamp = query.get("timestamp") ?? "";
  const nonce = query.get("nonce") ?? "";
  const given = query.get("signature") ?? undefined;
  const verdict = { name: "signature" as const, covers: "Token, timestamp, nonce", given };
  if (token === undefined) return { ...verdict, ok: false, why: "no Token to check it with" };
  const expected = signature(token, timestamp, nonce);
  if (given === expected) return { ...verdict, expected, ok: true };
  let why = "the Token differs from this one, or the timestamp or nonce changed after signing";
  if (given === undefined) why = "not sent: not a request from WeChat";
  else if (given.toLowerCase() === expected) why = "upper-case hex: WeChat's is lower-case";
  else if (given === sha1Hex(`${token}${timestamp}${nonce}`)) why = "the three were joined unsorted: sort them first";
  else if (encrypt !== undefined && given === msgSignature(token, timestamp, nonce, encrypt))
    why = "this is the msg_signature's value (it also covers Encrypt): signature covers Token, timestamp, nonce";
  return { ...verdict, expected, ok: false, why };
}

function msgSignatureVerdict(token: string | undefined, query: URLSearchParams, encrypt: string): SignatureVerdict {
  const timestamp = query.get("timestamp") ?? "";
  const nonce = query.get("nonce") ?? "";
  const given = query.get("msg_signature") ?? undefined;
  const verdict = { name: "msg_signature" as const, covers: "Token, timestamp, nonce, Encrypt", given };
  if (token === undefined) return { ...verdict, ok: false, why: "no Token to check it with" };
  const expected = msgSignature(token, timestamp, nonce, encrypt);
  if (given === expected) return { ...verdict, expected, ok: true };
  let why = "the Token differs, or Encrypt, the timestamp or the nonce changed after signing";
  if (given === undefined) why = "not sent: an encrypted request needs it";
  else if (given === signature(token, timestamp, nonce))
    why = "this is the signature's value: msg_signature also covers the Encrypt element";
  return { ...verdict, expected, ok: false, why };
}

/**
 * What simulate says of the recorded answer, for a message or a handshake that got one; undefined when there is no
 * answer to judge (the server refused the request, or it held no message).
 */
function judged(entry: InspectEntry, keys: InspectKeys, mode: Mode, message?: XmlRecord): Problem[] | undefined {
  const { record } = entry;
  const query = queryOf(record.path);
  if (record.method === "GET" && query.has("echostr")) {
    if (record.status !== 200) return undefined;
    return record.reply === query.get("echostr")
      ? []
      : [warningProblem("echostr", "the handshake's answer is not the echostr: WeChat would refuse the URL")];
  }
  if (message === undefined || record.error !== undefined) return undefined;
  const callback = { url: "", query: Object.fromEntries(query), body: record.body, message, mode };
  const http = { status: record.status, body: record.reply, latencyMs: record.latencyMs };
  return judgeAnswer(callback, http, keys.crypto).problems;
}

/** The commands that send this exchange again: `wxdev simulate` (the message, signed afresh) and curl (as is). */
function commandsFor(entry: InspectEntry, mode: Mode, plaintext: string | undefined, url?: string) {
  if (url === undefined) return {};
  const { record } = entry;
  const callbackUrl = `${new URL(url).origin}${entry.summary.path}`;
  const modeFlag = mode === "plain" ? "" : ` --mode ${mode}`;
  const simulate =
    plaintext === undefined
      ? undefined
      : `printf '%s' ${shellQuote(plaintext)} | wxdev simulate --file - --url ${shellQuote(callbackUrl)}${modeFlag}`;
  const full = `${new URL(url).origin}${record.path}`;
  const curl =
    record.method === "POST"
      ? `curl -X POST ${shellQuote(full)} -H 'Content-Type: text/xml' --data-binary ${shellQuote(record.body)}`
      : `curl ${shellQuote(full)}`;
  return { ...(simulate === undefined ? {} : { simulate }), curl };
}

/** Explains one kept exchange with the keys; `url` is where it was sent (for the commands). */
export function explainExchange(entry: InspectEntry, keys: InspectKeys, url?: string): ExchangeDetail {
  const { record } = entry;
  const query = queryOf(record.path);
  const opened = openRecordRequest(record, keys);
  const signatures = [signatureVerdict(keys.token, query, opened.ciphertext)];
  if (opened.ciphertext !== undefined) signatures.push(msgSignatureVerdict(keys.token, query, opened.ciphertext));
  const reply = { raw: record.reply, ...openRecordReply(record, keys) };
  return {
    summary: entry.summary,
    query: [...query.entries()],
    signatures,
    mode: opened.mode,
    body: record.body,
    ...(opened.ciphertext === undefined ? {} : { ciphertext: opened.ciphertext }),
    ...(opened.plaintext === undefined ? {} : { plaintext: opened.plaintext }),
    ...(opened.appId === undefined ? {} : { appId: opened.appId }),
    ...(opened.problem === undefined ? {} : { requestProblem: opened.problem }),
    fields: fieldsOf(opened.message),
    reply,
    problems: judged(entry, keys, opened.mode, opened.message),
    ...(record.truncated === undefined ? {} : { truncated: record.truncated }),
    commands: commandsFor(entry, opened.mode, opened.plaintext, url),
  };
}
