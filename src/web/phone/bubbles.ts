import { type Child, h, safeHref } from "../shared/dom.js";
import { cutToBytes, type TextPiece, textPieces } from "./text.js";

/** Most bytes of a text the client shows (MAX_TEXT_REPLY_BYTES of the reply rules). */
export const TEXT_BYTES = 2047;

/** The notice the client shows when the account's server failed (what followers report seeing). */
export { FAILURE_NOTICE } from "../../core/wire/message-types.js";

/** A link from the app: opens in a new tab, with no referrer and no handle on this page. */
export function outLink(href: string, ...children: Child[]): HTMLAnchorElement {
  return h("a", { href, target: "_blank", rel: "noopener noreferrer" }, ...children);
}

/** One row of the thread: the account's bubble on the left, the follower's on the right. */
export function row(from: "account" | "me", ...content: Child[]): HTMLLIElement {
  return h(
    "li",
    { class: `row row-${from}` },
    h("span", { class: "avatar", "aria-hidden": "true" }, from === "me" ? "我" : "公"),
    h("div", { class: "bubble-wrap" }, ...content),
  );
}

/** A grey line in the middle of the thread (times, notices); `dev` marks what only the developer is told. */
export function notice(text: string, dev = false): HTMLLIElement {
  return h("li", { class: dev ? "row-notice dev-note" : "row-notice" }, h("span", null, text));
}

/** Text as the client draws it: cut at TEXT_BYTES, line breaks kept, links clickable, emoji as they are. */
export function textBubble(content: string): HTMLElement {
  const { text, cut } = cutToBytes(content, TEXT_BYTES);
  const pieces = textPieces(text).map((piece: TextPiece) =>
    "href" in piece ? outLink(piece.href, piece.text) : piece.text,
  );
  return h("div", { class: "bubble text", "data-cut": cut ? "yes" : undefined }, ...pieces);
}

/** A picture from the mock's media store (a MediaId), or from an http(s) address. */
export function imageBubble(src: string, label = "图片"): HTMLElement {
  return h("div", { class: "bubble image" }, h("img", { src, alt: label, loading: "lazy" }));
}

/** Where the page loads a media file of the account (the mock serves it to this machine only). */
export const mediaUrl = (id: string): string => `/_wxdev/media?id=${encodeURIComponent(id)}`;

/** Voice and video are placeholders: the page does not play AMR. */
export function placeholder(kind: "voice" | "video", title?: string, description?: string): HTMLElement {
  return h(
    "div",
    { class: `bubble ${kind}` },
    kind === "voice" ? "🔊 语音" : "▶ 视频",
    title ? h("div", { class: "card-title" }, title) : undefined,
    description ? h("div", { class: "card-desc" }, description) : undefined,
  );
}

/** A music card: title, description, the thumbnail, and a link to play it (http(s) only). */
export function musicCard(music: Record<string, string>): HTMLElement {
  const play = safeHref(music.HQMusicUrl) ?? safeHref(music.MusicUrl);
  const thumb = music.ThumbMediaId ? h("img", { src: mediaUrl(music.ThumbMediaId), alt: "" }) : h("span", null, "♪");
  return h(
    "div",
    { class: "bubble card music" },
    h("div", { class: "music-thumb" }, thumb),
    h(
      "div",
      null,
      h("div", { class: "card-title" }, music.Title ?? ""),
      h("div", { class: "card-desc" }, music.Description ?? ""),
    ),
    play ? outLink(play, "▶ 播放") : undefined,
  );
}

/** One news article as the client shows it; its Url opens only when it is http(s). */
export interface Article {
  title: string;
  description: string;
  picUrl?: string;
  url?: string;
}

/**
 * News as the client draws it: one article as a card (title on top, description left, small picture right),
 * several as a big first article and rows below. Clicking opens the article's http(s) Url.
 */
export function newsCard(articles: Article[]): HTMLElement {
  const open = (article: Article, ...children: Child[]): HTMLElement => {
    const href = safeHref(article.url);
    return href ? outLink(href, ...children) : h("div", { class: "no-link" }, ...children);
  };
  const picture = (article: Article): Child => {
    const src = safeHref(article.picUrl);
    return src ? h("img", { src, alt: "" }) : undefined;
  };
  if (articles.length === 1) {
    const [only] = articles as [Article];
    return h(
      "div",
      { class: "bubble card news news-one", role: "article", "aria-label": only.title },
      open(
        only,
        h("div", { class: "card-title" }, only.title),
        h("div", { class: "news-body" }, h("div", { class: "card-desc" }, only.description), picture(only)),
      ),
    );
  }
  const [first, ...rest] = articles as [Article, ...Article[]];
  return h(
    "div",
    { class: "bubble card news news-many", role: "article", "aria-label": first.title },
    open(
      first,
      h("div", { class: "news-cover" }, picture(first), h("div", { class: "news-cover-title" }, first.title)),
    ),
    ...rest.map((article) =>
      open(article, h("div", { class: "news-row" }, h("span", null, article.title), picture(article))),
    ),
  );
}
