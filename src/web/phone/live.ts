import type { PlatformEvent } from "../../core/platform/events.js";
import { h, safeHref } from "../shared/dom.js";
import {
  imageBubble,
  mediaUrl,
  musicCard,
  newsCard,
  notice,
  outLink,
  placeholder,
  row,
  textBubble,
} from "./bubbles.js";
import { me, push, show } from "./thread.js";
import { templateValue } from "./text.js";

type Json = Record<string, unknown>;
const obj = (value: unknown): Json => (typeof value === "object" && value !== null ? (value as Json) : {});
const str = (value: unknown): string => (typeof value === "string" ? value : value === undefined ? "" : String(value));

/** A customer-service message menu (msgmenu): each choice, tapped, is a text with its bizmsgmenuid. */
function msgMenu(menu: Json): HTMLElement {
  const list = Array.isArray(menu.list) ? menu.list.map(obj) : [];
  return h(
    "div",
    { class: "bubble text" },
    str(menu.head_content),
    ...list.map((item) =>
      h(
        "div",
        null,
        h(
          "a",
          {
            href: "#",
            onclick: (event: Event) => {
              event.preventDefault();
              show(me(), row("me", textBubble(str(item.content))));
              void push({ message: "text", fields: { Content: str(item.content), bizmsgmenuid: str(item.id) } });
            },
          },
          str(item.content),
        ),
      ),
    ),
    str(menu.tail_content),
  );
}

/** A customer-service message (message/custom/send) as the thread shows it. */
export function customRows(event: Extract<PlatformEvent, { type: "message" }>): HTMLLIElement[] {
  const body = event.message;
  const part = obj(body[event.msgtype]);
  switch (event.msgtype) {
    case "text":
      return [row("account", textBubble(str(part.content)))];
    case "image":
      return [row("account", imageBubble(mediaUrl(str(part.media_id))))];
    case "voice":
      return [row("account", placeholder("voice"))];
    case "video":
      return [row("account", placeholder("video", str(part.title), str(part.description)))];
    case "music":
      return [
        row(
          "account",
          musicCard({
            Title: str(part.title),
            Description: str(part.description),
            MusicUrl: str(part.musicurl),
            HQMusicUrl: str(part.hqmusicurl),
            ThumbMediaId: str(part.thumb_media_id),
          }),
        ),
      ];
    case "news": {
      const articles = (Array.isArray(part.articles) ? part.articles : []).map(obj).map((article) => ({
        title: str(article.title),
        description: str(article.description),
        url: str(article.url) || undefined,
        picUrl: str(article.picurl) || undefined,
      }));
      return articles.length === 0 ? [] : [row("account", newsCard(articles))];
    }
    case "msgmenu":
      return [row("account", msgMenu(part))];
    case "miniprogrampage":
      return [
        row(
          "account",
          h(
            "div",
            { class: "bubble card" },
            h("div", { class: "card-desc" }, "小程序"),
            h("div", { class: "card-title" }, str(part.title)),
            h("div", { class: "card-desc" }, `${str(part.appid)} ${str(part.pagepath)}`),
          ),
        ),
      ];
    default:
      return [notice(`客服消息（${event.msgtype}）`)];
  }
}

/** A template of the account: its title, and its content's `label：{{key.DATA}}` lines. */
export interface TemplateInfo {
  template_id: string;
  title: string;
  content: string;
}

/**
 * A template message as the client's card (since 2023-05): the title, the date, one `label value` row per keyword
 * (first and remark left out, each value one line of at most 20 characters), 详情 when it has a link.
 */
export function templateCard(
  event: Extract<PlatformEvent, { type: "template" }>,
  template?: TemplateInfo,
): HTMLLIElement {
  const data = obj(event.body.data);
  const value = (key: string): string => templateValue(str(obj(data[key]).value));
  const rows: HTMLElement[] = [];
  const lines = (template?.content ?? "").split(/\r?\n/);
  for (const line of lines) {
    const found = /^(.*?)[:：]?\s*\{\{\s*([\w-]+)\.DATA\s*\}\}\s*$/.exec(line.trim());
    if (!found?.[2] || found[2] === "first" || found[2] === "remark") continue;
    rows.push(
      h(
        "div",
        { class: "tpl-row" },
        h("span", { class: "tpl-label" }, found[1] ?? ""),
        h("span", null, value(found[2])),
      ),
    );
  }
  if (template === undefined)
    for (const key of Object.keys(data).filter((name) => name !== "first" && name !== "remark"))
      rows.push(h("div", { class: "tpl-row" }, h("span", { class: "tpl-label" }, key), h("span", null, value(key))));
  // A mini program first when both are set (the template page's rule); the page cannot open one, so it says which.
  const mini = obj(event.body.miniprogram);
  const href = safeHref(event.body.url);
  const more =
    event.body.miniprogram !== undefined
      ? h(
          "div",
          { class: "tpl-more" },
          "详情",
          h("span", { class: "card-desc" }, ` 小程序 ${str(mini.appid)} ${str(mini.pagepath)}`),
        )
      : href !== undefined
        ? h("div", { class: "tpl-more" }, outLink(href, "详情"))
        : event.body.url !== undefined
          ? h("div", { class: "tpl-more" }, "详情")
          : undefined;
  const date = new Date(event.time);
  return row(
    "account",
    h(
      "div",
      { class: "bubble card template", role: "article", "aria-label": template?.title ?? "模板消息" },
      h("div", { class: "card-title" }, template?.title ?? "模板消息"),
      h("div", { class: "tpl-date" }, `${date.getMonth() + 1}月${date.getDate()}日`),
      ...rows,
      more,
    ),
  );
}
