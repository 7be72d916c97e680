import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { errcodeOf, type Platform, startPlatform } from "../helpers/platform.js";

let platform: Platform;
beforeAll(async () => {
  platform = await startPlatform();
});
afterAll(() => platform.close());

const click = (name = "今日歌曲", key = "V1001_TODAY_MUSIC") => ({ type: "click", name, key });
const view = (name = "搜索", url = "http://www.soso.com/") => ({ type: "view", name, url });
const MENU = {
  button: [click(), { name: "菜单", sub_button: [view(), click("赞一下我们", "V1001_GOOD")] }],
};

describe("the custom menu through wechat-api", () => {
  it("no menu: 46003; create; menu/get in the platform's shape (leaves with sub_button []); delete", async () => {
    expect(await errcodeOf(platform.sdk("getMenu"))).toBe(46003);
    expect(await platform.sdk("createMenu", MENU)).toEqual({ errcode: 0, errmsg: "ok" });
    expect(await platform.sdk("getMenu")).toEqual({
      menu: {
        button: [
          { ...click(), sub_button: [] },
          {
            name: "菜单",
            sub_button: [
              { ...view(), sub_button: [] },
              { ...click("赞一下我们", "V1001_GOOD"), sub_button: [] },
            ],
          },
        ],
      },
    });
    const self = await platform.sdk("getMenuConfig");
    expect(self).toEqual({
      is_menu_open: 1,
      selfmenu_info: {
        button: [click(), { name: "菜单", sub_button: { list: [view(), click("赞一下我们", "V1001_GOOD")] } }],
      },
    });
    expect(await platform.sdk("removeMenu")).toEqual({ errcode: 0, errmsg: "ok" });
    expect(await errcodeOf(platform.sdk("getMenu"))).toBe(46003);
  });

  it("a pulled menu (leaves with sub_button: []) goes back in as it is", async () => {
    await platform.sdk("createMenu", MENU);
    const pulled = (await platform.sdk("getMenu")).menu;
    expect(await errcodeOf(platform.sdk("createMenu", pulled))).toBe("ok");
  });

  const long = (bytes: number) => "a".repeat(bytes);
  const sub = (button: Record<string, unknown>) => ({ button: [{ name: "菜单", sub_button: [button] }] });
  it.each<[string, unknown, number]>([
    ["no button list", { menu: MENU }, 40016],
    ["4 buttons", { button: [click(), click(), click(), click()] }, 40016],
    ["no buttons", { button: [] }, 40016],
    ["the selfmenu shape {list:[…]}", { button: [{ name: "菜单", sub_button: { list: [click()] } }] }, 40016],
    ["an unknown type", { button: [{ type: "link", name: "x", key: "k" }] }, 40017],
    ["a 17-byte name", { button: [click(long(17))] }, 40018],
    ["a name of 6 汉字 (18 bytes)", { button: [click("六个汉字六个")] }, 40018],
    ["no name", { button: [{ type: "click", key: "k" }] }, 40018],
    ["a click without key", { button: [{ type: "click", name: "x" }] }, 40019],
    ["a 129-byte key", { button: [click("x", long(129))] }, 40019],
    ["a view without url", { button: [{ type: "view", name: "x" }] }, 40020],
    ["a 1025-byte url", { button: [view("x", `http://a.cn/${long(1013)}`)] }, 40020],
    ["a url without http://", { button: [view("x", "www.soso.com")] }, 40055],
    ["a sub-button nested deeper", sub({ name: "x", sub_button: [click()] }), 40022],
    ["6 sub-buttons", { button: [{ name: "菜单", sub_button: Array.from({ length: 6 }, () => click()) }] }, 40023],
    ["a parent without sub-buttons", { button: [{ name: "菜单", sub_button: [] }] }, 40023],
    ["a sub-button of an unknown type", sub({ type: "link", name: "x" }), 40024],
    ["a 61-byte sub-button name", sub(click(long(61))), 40025],
    ["a sub-button click without key", sub({ type: "click", name: "x" }), 40026],
    ["a sub-button view with key instead of url", sub({ type: "view", name: "x", key: "k" }), 40027],
    ["a sub-button url that is not http(s)", sub(view("x", "ftp://a.cn/")), 40054],
    ["a media_id button without media_id", { button: [{ type: "media_id", name: "x" }] }, 40117],
    ["a sub-button view_limited without media_id", sub({ type: "view_limited", name: "x" }), 40118],
  ])("%s: %i", async (_case, menu, errcode) => {
    const error = await platform.sdk("createMenu", menu).catch((caught: Error & { code: number }) => caught);
    expect(error).toMatchObject({ name: "WeChatAPIError", code: errcode });
  });

  it("60 bytes is a sub-button name's limit (the current page; 2013–2016 copies said 40)", async () => {
    expect(await errcodeOf(platform.sdk("createMenu", sub(click(long(60)))))).toBe("ok");
  });

  it("a body that is not JSON: 47001", async () => {
    const { accessToken } = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const response = await fetch(`${platform.mock.origin}/cgi-bin/menu/create?access_token=${accessToken}`, {
      method: "POST",
      body: '{"button":[',
    });
    expect(((await response.json()) as { errcode: number }).errcode).toBe(47001);
  });
});
