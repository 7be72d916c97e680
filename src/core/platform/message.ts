import { TYPING_LASTS_MS, TYPING_NEEDS_MS, windowAllows, windowWhy } from "./cs-window.js";
import type { ApiRoute, Call, PlatformContext } from "./route.js";
import type { PlatformStore } from "./store.js";
import { BAD_JSON, done, fail, isRecord, type Outcome, utf8Bytes } from "./transport.js";

/** A text's limit in bytes: not on the reference page; 2048 as Senparc measured (~680 汉字). */
export const MAX_TEXT_BYTES = 2048;
/** Articles in a news message since 2018-10-12. */
const MAX_ARTICLES = 1;
/** msgmenu options at most (not documented; 10 is what SDK examples stay within). */
const MAX_MSGMENU_ITEMS = 10;

type Body = Record<string, unknown>;

/** Checks one message body's content by msgtype; undefined when it can go. */
function checkContent(store: PlatformStore, msgtype: unknown, body: Body): Outcome | undefined {
  const part = typeof msgtype === "string" && isRecord(body[msgtype]) ? (body[msgtype] as Body) : undefined;
  const media = (field: string, types: string[]): Outcome | undefined => {
    const id = part?.[field];
    const item = typeof id === "string" ? store.liveMedia(id) : undefined;
    if (item !== undefined && types.includes(item.type)) return undefined;
    const why = item === undefined ? "unknown, or older than 3 days" : `a ${item.type}, not ${types.join("/")}`;
    return fail(40007, `${msgtype}.${field}: ${why}`);
  };
  switch (msgtype) {
    case "text": {
      const content = part?.content;
      if (typeof content !== "string" || content === "") return fail(44004, "text.content is empty");
      const bytes = utf8Bytes(content);
      return bytes > MAX_TEXT_BYTES
        ? fail(45002, `text.content: ${bytes} bytes, at most ${MAX_TEXT_BYTES}`)
        : undefined;
    }
    case "image":
      return media("media_id", ["image"]);
    case "voice":
      return media("media_id", ["voice"]);
    case "video":
      return (
        media("media_id", ["video"]) ??
        (part?.thumb_media_id === undefined ? undefined : media("thumb_media_id", ["thumb", "image"]))
      );
    case "music":
      return media("thumb_media_id", ["thumb", "image"]);
    case "miniprogrampage":
      for (const field of ["title", "appid", "pagepath"])
        if (typeof part?.[field] !== "string") return fail(47001, `miniprogrampage.${field} is missing`);
      return media("thumb_media_id", ["thumb", "image"]);
    case "news": {
      const articles = part?.articles;
      if (!Array.isArray(articles)) return fail(45162, "news.articles must be a list");
      if (articles.length === 0) return fail(44004, "news.articles is empty");
      return articles.length > MAX_ARTICLES
        ? fail(45008, `${articles.length} articles: 1 since 2018-10-12`)
        : undefined;
    }
    case "msgmenu": {
      const list = part?.list;
      if (!Array.isArray(list) || list.length === 0 || list.length > MAX_MSGMENU_ITEMS)
        return fail(45098, `msgmenu.list: 1 to ${MAX_MSGMENU_ITEMS} {id, content}`);
      const bad = list.findIndex((item) => !isRecord(item) || typeof item.content !== "string" || item.content === "");
      return bad === -1 ? undefined : fail(45099, `msgmenu.list[${bad}].content is empty`);
    }
    // Permanent materials and published articles are not kept by the mock: any id is taken.
    case "mpnews":
      return typeof part?.media_id === "string" && part.media_id !== "" ? undefined : fail(40007, "mpnews.media_id");
    case "mpnewsarticle":
    case "wxcard":
      return part === undefined ? fail(47001, `${msgtype} is missing`) : undefined;
    default:
      return fail(40008, `msgtype ${JSON.stringify(msgtype)}`);
  }
}

/** Customer-service messages: message/custom/send and message/custom/typing. */
export function messageRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  /** The JSON body and the follower its `touser` names, or what the platform answers without them. */
  const addressed = async (call: Call) => {
    const body = await call.json();
    if (body === BAD_JSON || !isRecord(body)) return fail(47001);
    const user = typeof body.touser === "string" ? store.followers.get(body.touser) : undefined;
    if (user === undefined) return fail(40003, `touser ${String(body.touser)} is not a user of this account`);
    return { body, user };
  };
  return [
    {
      method: "POST",
      path: "/cgi-bin/message/custom/send",
      token: true,
      handle: async (call: Call) => {
        const to = await addressed(call);
        if (!("user" in to)) return to;
        const { body, user } = to;
        const refused = checkContent(store, body.msgtype, body);
        if (refused !== undefined) return refused;
        const now = store.clock.now();
        const allowed = windowAllows(user, now);
        if (allowed !== "ok") return fail(allowed, windowWhy(user, allowed));
        if (user.window !== undefined) user.window.used += 1;
        user.lastExchangeAt = now;
        user.typingUntil = undefined;
        store.changed();
        const msgtype = String(body.msgtype);
        store.events.emit({ type: "message", time: now, openid: user.openid, msgtype, message: body });
        return done();
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/message/custom/typing",
      token: true,
      handle: async (call: Call) => {
        const to = await addressed(call);
        if (!("user" in to)) return to;
        const { body, user } = to;
        const command = body.command;
        if (command !== "Typing" && command !== "CancelTyping") return fail(45072, "command: Typing or CancelTyping");
        const now = store.clock.now();
        const allowed = windowAllows(user, now);
        if (allowed === 45015) return fail(45015, windowWhy(user, allowed));
        if (now - (user.lastExchangeAt ?? Number.NEGATIVE_INFINITY) > TYPING_NEEDS_MS)
          return fail(45080, "no message either way in the last 30 s");
        if (command === "Typing") {
          if ((user.typingUntil ?? 0) > now) return fail(45081, "typing shows 15 s; wait or CancelTyping first");
          user.typingUntil = now + TYPING_LASTS_MS;
        } else user.typingUntil = undefined;
        store.events.emit({ type: "typing", time: now, openid: user.openid, command });
        return done();
      },
    },
  ];
}
