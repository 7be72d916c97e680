import {
  ARTICLE_FIELDS,
  COMMON_FIELDS,
  MAX_ARTICLES,
  MAX_ARTICLES_FOR_USER_MESSAGE,
  REPLY_TYPES,
  type FieldSpec,
} from "./message-types.js";
import { parseXml, type XmlRecord, type XmlValue } from "./xml.js";
import { errorProblem as error, looksLikeHtml, warningProblem as warning, type Problem } from "./diagnose.js";

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
        ? [warning("whitespace", "the body has whitespace around it; send exactly `success` or nothing")]
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
  return verdict("reply", reply, validateReply(reply, request));
}

/** Lists every problem in a parsed reply; `request` enables the To/From and news-count checks. */
export function validateReply(reply: XmlRecord, request?: XmlRecord): Problem[] {
  const problems: Problem[] = [];
  for (const name of COMMON_FIELDS) {
    if (!nonEmpty(reply[name])) problems.push(error("missing-field", `missing ${name}`));
  }
  if (typeof reply.Encrypt === "string") {
    problems.push(error("unexpected-encrypt", "the reply is encrypted but the request was not"));
  }
  checkCreateTime(reply.CreateTime, problems);
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
      checkFields(inner, spec.wrapper.fields, `${spec.wrapper.name}/`, problems);
    } else {
      problems.push(error("bad-field", `<${spec.wrapper.name}> must contain elements, not text`));
    }
  }
  if (msgType === "news") checkNews(reply, request, problems);
  const known = knownFields(msgType);
  for (const name of Object.keys(reply)) {
    if (!known.has(name)) problems.push(warning("extra-field", `unknown field ${name} in a ${msgType} reply`));
  }
  return problems;
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
      problems.push(error("missing-field", `missing ${prefix}${field.name}`));
    }
  }
}

function checkCreateTime(value: XmlValue | undefined, problems: Problem[]): void {
  if (typeof value !== "string" || value === "") return;
  if (!/^\d+$/.test(value)) {
    problems.push(error("bad-createtime", `CreateTime ${JSON.stringify(value)} is not a number`));
  } else if (value.length >= 13) {
    problems.push(warning("createtime-ms", `CreateTime ${value} is in milliseconds; WeChat expects seconds`));
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
  const items = isRecord(articles) && Array.isArray(articles.item) ? articles.item.filter(isRecord) : [];
  for (const [index, item] of items.entries())
    checkFields(item, ARTICLE_FIELDS, `Articles/item[${index + 1}]/`, problems);
  const count = Number(reply.ArticleCount);
  if (typeof reply.ArticleCount === "string" && count !== items.length) {
    problems.push(
      error("article-count", `ArticleCount is ${reply.ArticleCount} but there are ${items.length} articles`),
    );
  }
  if (items.length > MAX_ARTICLES) {
    problems.push(error("too-many-articles", `${items.length} articles; at most ${MAX_ARTICLES} are allowed`));
  } else if (items.length > MAX_ARTICLES_FOR_USER_MESSAGE && request?.MsgType !== "event") {
    problems.push(
      warning("articles-for-message", `${items.length} articles answer a user message; WeChat shows only 1`),
    );
  }
}
