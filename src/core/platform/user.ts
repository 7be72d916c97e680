import type { ApiRoute, Call, PlatformContext } from "./route.js";
import type { Follower } from "./store.js";
import { BAD_JSON, fail, isRecord, ok } from "./transport.js";

/** user/get's page size. */
const PAGE = 10_000;
/** batchget's limit (user_list). */
export const BATCH_LIMIT = 100;

/**
 * user/info as the platform answers it today: nickname, sex, city, province, country and headimgurl are no
 * longer filled in (since 2021-12-27) but still present and empty, as live answers since then show.
 */
export function userInfo(follower: Follower): Record<string, unknown> {
  if (!follower.subscribed) return { subscribe: 0, openid: follower.openid };
  return {
    subscribe: 1,
    openid: follower.openid,
    nickname: "",
    sex: 0,
    language: follower.language,
    city: "",
    province: "",
    country: "",
    headimgurl: "",
    subscribe_time: follower.subscribeTime,
    remark: follower.remark,
    groupid: 0,
    tagid_list: [],
    subscribe_scene: follower.subscribeScene,
    qr_scene: follower.qrScene,
    qr_scene_str: follower.qrSceneStr,
  };
}

/** Users: user/get (paged by next_openid), user/info, user/info/batchget. */
export function userRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  return [
    {
      method: "GET",
      path: "/cgi-bin/user/get",
      token: true,
      handle: (call: Call) => {
        const following = [...store.followers.values()].filter((user) => user.subscribed).map((user) => user.openid);
        const after = call.query.get("next_openid") ?? "";
        let start = 0;
        if (after !== "") {
          const index = following.indexOf(after);
          if (index === -1) return fail(40003, `next_openid ${after} is not a follower`);
          start = index + 1;
        }
        const page = following.slice(start, start + PAGE);
        if (page.length === 0) return ok({ total: following.length, count: 0, next_openid: "" });
        return ok({ total: following.length, count: page.length, data: { openid: page }, next_openid: page.at(-1) });
      },
    },
    {
      method: "GET",
      path: "/cgi-bin/user/info",
      token: true,
      handle: (call: Call) => {
        const openid = call.query.get("openid") ?? "";
        const follower = store.followers.get(openid);
        return follower === undefined
          ? fail(40003, `openid ${openid} never followed this account`)
          : ok(userInfo(follower));
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/user/info/batchget",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        const list = body.user_list;
        if (!Array.isArray(list) || list.length === 0) return fail(40032, "user_list: 1 to 100 {openid, lang}");
        if (list.length > BATCH_LIMIT) return fail(45019, `${list.length} openids: at most ${BATCH_LIMIT}`);
        const infos: Record<string, unknown>[] = [];
        for (const [index, entry] of list.entries()) {
          const openid = isRecord(entry) ? entry.openid : undefined;
          const follower = typeof openid === "string" ? store.followers.get(openid) : undefined;
          if (follower === undefined) return fail(40003, `user_list[${index}].openid: not a user of this account`);
          infos.push(userInfo(follower));
        }
        return ok({ user_info_list: infos });
      },
    },
  ];
}
