import type { ExchangeResult } from "../../core/client/exchange.js";
import { MAX_ARTICLES, MAX_ARTICLES_FOR_USER_MESSAGE, ONE_ARTICLE_FOR } from "../../core/wire/message-types.js";
import type { XmlRecord, XmlValue } from "../../core/wire/xml.js";
import {
  type Article,
  FAILURE_NOTICE,
  imageBubble,
  mediaUrl,
  musicCard,
  newsCard,
  notice,
  placeholder,
  row,
  textBubble,
} from "./bubbles.js";

const str = (value: XmlValue | undefined): string => (typeof value === "string" ? value : "");
const rec = (value: XmlValue | undefined): XmlRecord =>
  typeof value === "object" && value !== null && !Array.isArray(value) ? value : {};
const strings = (record: XmlRecord): Record<string, string> =>
  Object.fromEntries(Object.entries(record).map(([key, value]) => [key, str(value)]));

/** The articles of a news reply, in order. */
function articlesOf(reply: XmlRecord): Article[] {
  const items = rec(reply.Articles).item;
  const list = Array.isArray(items) ? items : items === undefined ? [] : [items];
  return list.map((item) => {
    const article = rec(item);
    return {
      title: str(article.Title),
      description: str(article.Description),
      picUrl: str(article.PicUrl) || undefined,
      url: str(article.Url) || undefined,
    };
  });
}

/** A passive reply as the thread shows it (rows), given the message it answers. */
export function replyRows(reply: XmlRecord, request: XmlRecord): HTMLLIElement[] {
  const type = str(reply.MsgType);
  switch (type) {
    case "text":
      return [row("account", textBubble(str(reply.Content)))];
    case "image":
      return [row("account", imageBubble(mediaUrl(str(rec(reply.Image).MediaId))))];
    case "voice":
      return [row("account", placeholder("voice"))];
    case "video": {
      const video = rec(reply.Video);
      return [row("account", placeholder("video", str(video.Title), str(video.Description)))];
    }
    case "music":
      return [row("account", musicCard(strings(rec(reply.Music))))];
    case "news": {
      const articles = articlesOf(reply);
      const limit = ONE_ARTICLE_FOR.includes(str(request.MsgType)) ? MAX_ARTICLES_FOR_USER_MESSAGE : MAX_ARTICLES;
      const rows = [row("account", newsCard(articles.slice(0, limit)))];
      const dropped = articles.length - limit;
      const note = `开发者提示：只显示前 ${limit} 篇图文，其余 ${dropped} 篇被微信丢弃`;
      if (dropped > 0) rows.push(notice(note, true));
      return rows;
    }
    case "transfer_customer_service":
      return [notice("开发者提示：消息已转给客服系统，公众号不直接回复", true)];
    default:
      return [notice(`开发者提示：客户端不认识的回复类型 ${type}`, true)];
  }
}

/** What the follower sees of one exchange: the reply, nothing, or the failure notice. */
export function outcomeRows(result: ExchangeResult): HTMLLIElement[] {
  if (!result.ok || result.replyKind === "invalid" || result.replyKind === "failed") return [notice(FAILURE_NOTICE)];
  if (result.replyKind === "none" || result.reply === null) return [];
  return replyRows(result.reply, result.request.message);
}
