import { errorProblem as error, looksLikeHtml, warningProblem as warning, type Problem } from "./problem.js";
import {
  COMMON_FIELDS,
  type FieldSpec,
  MAX_ARTICLES,
  MAX_ARTICLES_FOR_USER_MESSAGE,
  MAX_TEXT_REPLY_BYTES,
  ONE_ARTICLE_FOR,
  PASSIVE_REPLY_PAGE,
  REPLY_TYPES,
} from "./message-types.js";
import { isNotification } from "./message-tables.js";
import { markupProblems } from "./reply-markup.js";
import { parseXml, type XmlRecord, type XmlValue } from "./xml.js";

export { MAX_TEXT_REPLY_BYTES } from "./message-types.js";

/** What a reply body amounts to: no reply (`success`/empty), or a parsed reply with its problems. */
export interface ReplyVerdict {
  kind: "none" | "reply" | "invalid";
  reply: XmlRecord | null;
  problems: Problem[];
  /** True when WeChat would accept it (no error-level problem). */
  ok: boolean;
}

function verdict(kind: ReplyVerdict["kind"], reply: XmlRecord | null, problems: Problem[]): ReplyVerdict {
  return { kind, reply, problems, ok: problems.every((problem) => problem.severity !== "error") };
}

/**
 * Judges a plaintext reply body against the request it answers, as WeChat
 * would: `success` or empty is "no reply"; anything else must be reply XML.
 */
export function judgeReply(body: string, request?: XmlRecord): ReplyVerdict {
  const trimmed = body.trim();
  if (trimmed === "" || trimmed === "success") {
    const problems =
      trimmed !== body
        ? [
            warning(
              "whitespace",
              `the body has whitespace around it; send exactly \`success\` or nothing (${PASSIVE_REPLY_PAGE})`,
            ),
          ]
        : [];
    return verdict("none", null, problems);
  }
  let reply: XmlRecord;
  try {
    reply = parseXml(body);
  } catch (cause) {
    const looksHtml = looksLikeHtml(trimmed);
    const detail = looksHtml
      ? "the body is an HTML page, not reply XML"
      : `the body is not reply XML: ${(cause as Error).message}`;
    return verdict("invalid", null, [error(looksHtml ? "html" : "invalid-xml", detail)]);
  }
  return verdict("reply", reply, [...markupProblems(body), ...validateReply(reply, request)]);
}

/** Lists every problem in a parsed reply; `request` enables the To/From and news-count checks. */
export function validateReply(reply: XmlRecord, request?: XmlRecord): Problem[] {
  const problems: Problem[] = [];
  if (request?.MsgType === "event" && typeof request.Event === "string" && isNotification(request.Event))
    problems.push(warning(IGNORED_REPLY, ignoredReply(request.Event)));
  for (const name of COMMON_FIELDS) {
    if (!nonEmpty(reply[name])) problems.push(error("missing-field", `missing ${name}`));
  }
  if (typeof reply.Encrypt === "string") {
    problems.push(error("unexpected-encrypt", "the reply is encrypted but the request was not"));
  }
  checkSeconds("CreateTime", reply.CreateTime, problems);
  checkDuplicates(reply, "", problems);
  if (request !== undefined) checkSwapped(reply, request, problems);
  const msgType = typeof reply.MsgType === "string" ? reply.MsgType : "";
  const spec = Object.hasOwn(REPLY_TYPES, msgType) ? REPLY_TYPES[msgType] : undefined;
  if (spec === undefined) {
    if (msgType !== "") problems.push(error("unknown-msgtype", `unknown reply MsgType ${JSON.stringify(msgType)}`));
    return problems;
  }
  checkFields(reply, spec.fields, "", problems);
  if (spec.wrapper !== undefined) {
    const raw = reply[spec.wrapper.name];
    const inner = raw === "" ? {} : raw;
    if (inner === undefined) {
      if (spec.wrapper.required) problems.push(error("missing-field", `missing <${spec.wrapper.name}>`));
    } else if (isRecord(inner)) {
      checkElement(inner, spec.wrapper.fields, spec.wrapper.name, problems);
    } else if (!Array.isArray(inner)) {
      problems.push(error("bad-field", `<${spec.wrapper.name}> must contain elements, not text`));
    }
  }
  if (msgType === "text") checkTextLength(reply.Content, problems);
  if (msgType === "news") checkNews(reply, request, problems);
  const known = knownFields(msgType);
  for (const name of Object.keys(reply)) {
    if (!known.has(name))
      problems.push(
        warning("extra-field", `unknown field ${name} in a ${msgType} reply (not on ${PASSIVE_REPLY_PAGE})`),
      );
  }
  return problems;
}

/** The code of the warning that a reply answers a notification, which WeChat ignores. */
export const IGNORED_REPLY = "ignored-reply";

function ignoredReply(event: string): string {
  return (
    `WeChat ignores a reply to ${event}, a notification nobody sees an answer to: answer success or an empty body` +
    ` (${PASSIVE_REPLY_PAGE}: either means no reply)`
  );
}

const KNOWN_FIELDS = new Map<string, ReadonlySet<string>>();

/** The fields a reply of `msgType` may carry (made once per type: load mode judges thousands a second). */
function knownFields(msgType: string): ReadonlySet<string> {
  let known = KNOWN_FIELDS.get(msgType);
  if (known === undefined) {
    const spec = REPLY_TYPES[msgType];
    known = new Set([
      ...COMMON_FIELDS,
      ...(spec?.fields ?? []).map((field) => field.name),
      ...(spec?.wrapper ? [spec.wrapper.name] : []),
    ]);
    KNOWN_FIELDS.set(msgType, known);
  }
  return known;
}

function isRecord(value: XmlValue | undefined): value is XmlRecord {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

function nonEmpty(value: XmlValue | undefined): boolean {
  return typeof value === "string" ? value.trim() !== "" : value !== undefined;
}

function checkFields(record: XmlRecord, fields: FieldSpec[], prefix: string, problems: Problem[]): void {
  for (const field of fields) {
    if (field.required && !nonEmpty(record[field.name])) {
      const why = field.whenMissing === undefined ? "" : `: ${field.whenMissing}`;
      problems.push(error("missing-field", `missing ${prefix}${field.name}${why}`));
    }
  }
}

/** A wrapper (`Image`, `Articles/item[2]`): its required children, children it does not know, and nested ones. */
function checkElement(record: XmlRecord, fields: FieldSpec[], path: string, problems: Problem[]): void {
  checkFields(record, fields, `${path}/`, problems);
  for (const name of Object.keys(record)) {
    const field = fields.find((known) => known.name === name);
    const value = record[name];
    if (field === undefined) {
      problems.push(
        warning(
          "extra-field",
          `unknown element <${name}> inside <${path}>; WeChat ignores it (not on ${PASSIVE_REPLY_PAGE})`,
        ),
      );
    } else if (field.children !== undefined && field.repeated && Array.isArray(value)) {
      for (const [index, item] of value.entries())
        if (isRecord(item)) checkElement(item, field.children, `${path}/${name}[${index + 1}]`, problems);
    } else if (field.children !== undefined && isRecord(value)) {
      checkElement(value, field.children, `${path}/${name}`, problems);
    }
  }
}

/** An element written twice where WeChat reads one value (only `item` repeats). */
function checkDuplicates(record: XmlRecord, prefix: string, problems: Problem[]): void {
  for (const [name, value] of Object.entries(record)) {
    if (Array.isArray(value) && name !== "item") {
      problems.push(
        error(
          "duplicate-element",
          `${value.length} <${prefix}${name}> elements; a reply has one (WeChat would read only one of them)`,
        ),
      );
    }
    const children = Array.isArray(value) ? value : [value];
    for (const child of children) if (isRecord(child)) checkDuplicates(child, `${prefix}${name}/`, problems);
  }
}

/**
 * A time WeChat expects in whole seconds (`CreateTime`, the envelope's `TimeStamp`): not a number is an error;
 * milliseconds (13 digits, as a popular Node SDK writes) a warning.
 */
export function checkSeconds(name: string, value: XmlValue | undefined, problems: Problem[]): void {
  if (typeof value !== "string" || value === "") return;
  const code = name.toLowerCase();
  if (!/^\d+$/.test(value)) {
    problems.push(error(`bad-${code}`, `${name} ${JSON.stringify(value)} is not a number`));
  } else if (value.length >= 13) {
    problems.push(
      warning(
        `${code}-ms`,
        `${name} ${value} is in milliseconds; WeChat expects seconds (the platform's samples, e.g. 1348831860)`,
      ),
    );
  }
}

function checkTextLength(content: XmlValue | undefined, problems: Problem[]): void {
  if (typeof content !== "string" || content.length * 3 <= MAX_TEXT_REPLY_BYTES) return;
  const bytes = Buffer.byteLength(content, "utf8");
  if (bytes > MAX_TEXT_REPLY_BYTES) {
    problems.push(
      warning(
        "content-too-long",
        `Content is ${bytes.toLocaleString("en")} bytes of UTF-8; WeChat cuts or refuses text replies` +
          ` over ${MAX_TEXT_REPLY_BYTES.toLocaleString("en")} bytes, as developers report (no reference page` +
          " states it): send the rest as a customer-service message",
      ),
    );
  }
}

function checkSwapped(reply: XmlRecord, request: XmlRecord, problems: Problem[]): void {
  if (!nonEmpty(reply.ToUserName) || !nonEmpty(reply.FromUserName)) return;
  if (reply.ToUserName !== request.FromUserName) {
    problems.push(
      error(
        "to-not-swapped",
        `ToUserName is ${JSON.stringify(reply.ToUserName)};` +
          ` it must be the sender ${JSON.stringify(request.FromUserName)}`,
      ),
    );
  }
  if (reply.FromUserName !== request.ToUserName) {
    problems.push(
      error(
        "from-not-swapped",
        `FromUserName is ${JSON.stringify(reply.FromUserName)};` +
          ` it must be the account ${JSON.stringify(request.ToUserName)}`,
      ),
    );
  }
}

function checkNews(reply: XmlRecord, request: XmlRecord | undefined, problems: Problem[]): void {
  const articles = reply.Articles;
  const raw = isRecord(articles) ? articles.item : undefined;
  const count = Array.isArray(raw) ? raw.filter(isRecord).length : 0;
  if (typeof reply.ArticleCount === "string" && Number(reply.ArticleCount) !== count) {
    problems.push(error("article-count", `ArticleCount is ${reply.ArticleCount} but there are ${count} articles`));
  }
  // WeChat sends the first articles up to the limit and drops the rest (protocol §8).
  const oneOnly = typeof request?.MsgType === "string" && ONE_ARTICLE_FOR.includes(request.MsgType);
  if (oneOnly && count > MAX_ARTICLES_FOR_USER_MESSAGE) {
    problems.push(
      warning(
        "articles-for-message",
        `${count} articles answer a user's ${request?.MsgType} message; WeChat shows only the first` +
          ` ${MAX_ARTICLES_FOR_USER_MESSAGE} (${PASSIVE_REPLY_PAGE}: 1 for a text, image, voice, video, news or` +
          ` location message, up to ${MAX_ARTICLES} otherwise)`,
      ),
    );
  } else if (count > MAX_ARTICLES) {
    problems.push(
      warning(
        "too-many-articles",
        `${count} articles; WeChat shows only the first ${MAX_ARTICLES} and drops the rest (${PASSIVE_REPLY_PAGE})`,
      ),
    );
  }
}
