import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { fixtureTemplate } from "../../src/core/platform/template-data.js";
import { APP_ID } from "../helpers/fixtures.js";
import { control, errcodeOf, type Platform, startPlatform } from "../helpers/platform.js";

let platform: Platform;
let followers: string[];
beforeAll(async () => {
  platform = await startPlatform("safe");
  followers = ((await platform.sdk("getFollowers")).data as { openid: string[] }).openid;
});
afterAll(() => platform.close());

describe("users through wechat-api", () => {
  it("three followers from the start; user/get pages by next_openid", async () => {
    expect(await platform.sdk("getFollowers")).toEqual({
      total: 3,
      count: 3,
      data: { openid: followers },
      next_openid: followers[2],
    });
    expect(await platform.sdk("getFollowers", followers[2])).toEqual({ total: 3, count: 0, next_openid: "" });
  });

  it("user/info in today's shape: nickname and headimgurl present but empty; unknown openid: 40003", async () => {
    const info = await platform.sdk("getUser", followers[0]);
    expect(Object.keys(info)).toEqual([
      "subscribe",
      "openid",
      "nickname",
      "sex",
      "language",
      "city",
      "province",
      "country",
      "headimgurl",
      "subscribe_time",
      "remark",
      "groupid",
      "tagid_list",
      "subscribe_scene",
      "qr_scene",
      "qr_scene_str",
    ]);
    expect(info).toMatchObject({ subscribe: 1, openid: followers[0], nickname: "", headimgurl: "" });
    expect(await errcodeOf(platform.sdk("getUser", "oUnknownUser000000000000000"))).toBe(40003);
  });

  it("batchget (wechat-api's {openid, language} body): up to 100; 101 is refused", async () => {
    const batch = await platform.sdk("batchGetUsers", followers);
    expect((batch.user_info_list as { openid: string }[]).map((user) => user.openid)).toEqual(followers);
    expect(
      await errcodeOf(
        platform.sdk(
          "batchGetUsers",
          Array.from({ length: 101 }, () => followers[0]),
        ),
      ),
    ).toBe(45019);
    expect(await errcodeOf(platform.sdk("batchGetUsers", ["oUnknown"]))).toBe(40003);
  });
});

describe("the customer-service window", () => {
  it("closed until the user writes; a message allows 5 in 48 hours (45047 past them, 45015 after)", async () => {
    const openid = followers[1]!;
    expect(await errcodeOf(platform.sdk("sendText", openid, "hello"))).toBe(45015);
    const said = await control(platform.mock.origin, "message", {
      openid,
      message: "text",
      fields: { Content: "在吗" },
    });
    expect(said).toMatchObject({ pushed: true, mode: "safe", exchange: { ok: true, reply: { Content: "got 在吗" } } });
    expect(await platform.receivedWhere((m) => m.Content === "在吗")).toMatchObject({ FromUserName: openid });
    for (let i = 0; i < 5; i++)
      expect(await platform.sdk("sendText", openid, `reply ${i}`)).toMatchObject({ errcode: 0 });
    expect(await errcodeOf(platform.sdk("sendText", openid, "one more"))).toBe(45047);
    await control(platform.mock.origin, "message", { openid, message: "text", fields: { Content: "again" } });
    platform.advance(48 * 3_600_000);
    // wechat-api dates its token by this machine's clock: after the mock's 48 hours it must fetch a new one.
    expect(await errcodeOf(platform.sdk("sendText", openid, "stale token"))).toBe(42001);
    await platform.sdk("getAccessToken");
    expect(await errcodeOf(platform.sdk("sendText", openid, "too late"))).toBe(45015);
  });

  it("a menu click allows 3 in a minute; typing needs a message in the last 30 s and lasts 15 s", async () => {
    const openid = followers[2]!;
    await control(platform.mock.origin, "message", { openid, event: "CLICK", fields: { EventKey: "V1001_GOOD" } });
    expect(await platform.receivedWhere((m) => m.EventKey === "V1001_GOOD")).toMatchObject({ Event: "CLICK" });
    const { accessToken } = (await platform.sdk("getAccessToken")) as unknown as { accessToken: string };
    const typing = (command: string) =>
      fetch(`${platform.mock.origin}/cgi-bin/message/custom/typing?access_token=${accessToken}`, {
        method: "POST",
        body: JSON.stringify({ touser: openid, command }),
      }).then((response) => response.json() as Promise<{ errcode: number }>);
    expect(await typing("Typing")).toEqual({ errcode: 0, errmsg: "ok" });
    expect((await typing("Typing")).errcode).toBe(45081);
    expect((await typing("Dance")).errcode).toBe(45072);
    for (let i = 0; i < 3; i++) expect(await errcodeOf(platform.sdk("sendText", openid, `${i}`))).toBe("ok");
    expect(await errcodeOf(platform.sdk("sendText", openid, "4th"))).toBe(45047);
    platform.advance(31_000);
    expect((await typing("Typing")).errcode).toBe(45080);
    platform.advance(30_000);
    expect(await errcodeOf(platform.sdk("sendText", openid, "late"))).toBe(45015);
  });

  it("unknown openid 40003, media it does not hold 40007, text over 2048 bytes 45002, two articles 45008", async () => {
    const openid = followers[0]!;
    await control(platform.mock.origin, "message", { openid, message: "text", fields: { Content: "hi" } });
    expect(await errcodeOf(platform.sdk("sendText", "oNobody", "x"))).toBe(40003);
    expect(await errcodeOf(platform.sdk("sendImage", openid, "no-such-media"))).toBe(40007);
    expect(await errcodeOf(platform.sdk("sendText", openid, "汉".repeat(683)))).toBe(45002);
    const article = { title: "t", description: "d", url: "http://a.cn/", picurl: "http://a.cn/p.jpg" };
    expect(await errcodeOf(platform.sdk("sendNews", openid, [article, article]))).toBe(45008);
    expect(await errcodeOf(platform.sdk("sendNews", openid, [article]))).toBe("ok");
  });
});

describe("template messages", () => {
  const template = fixtureTemplate(APP_ID);
  const data = { thing1: { value: "体检" }, time2: { value: "2024年5月4日 09:00" }, name3: { value: "张三" } };

  it("send → msgid, then the app receives a signed, encrypted TEMPLATESENDJOBFINISH with that MsgID", async () => {
    const openid = followers[0]!;
    const sent = await platform.sdk("sendTemplate", openid, template.template_id, "http://a.cn/order", data);
    expect(sent).toEqual({ errcode: 0, errmsg: "ok", msgid: expect.any(Number) });
    const finished = await platform.receivedWhere((m) => m.Event === "TEMPLATESENDJOBFINISH");
    expect(finished).toMatchObject({ MsgID: String(sent.msgid), Status: "success", FromUserName: openid });
  });

  it("40037 unknown template, 47003 a value breaking its keyword's rule, 43004 after an unfollow", async () => {
    const openid = followers[0]!;
    expect(await errcodeOf(platform.sdk("sendTemplate", openid, "nope", "", data))).toBe(40037);
    const tooLong = { ...data, thing1: { value: "一二三四五六七八九十一二三四五六七八九十一" } };
    const error = await platform
      .sdk("sendTemplate", openid, template.template_id, "", tooLong)
      .catch((caught: Error & { code: number }) => caught);
    expect(error).toMatchObject({
      code: 47003,
      message: expect.stringMatching(/^argument invalid! data\.thing1\.value invalid rid: /),
    });
    // first/remark are no longer shown (2023-05) but still accepted.
    const extra = { ...data, first: { value: "你好" }, remark: { value: "谢谢" } };
    expect(await errcodeOf(platform.sdk("sendTemplate", openid, template.template_id, "", extra))).toBe("ok");
    await control(platform.mock.origin, "unfollow", { openid });
    expect(await platform.receivedWhere((m) => m.Event === "unsubscribe")).toMatchObject({ FromUserName: openid });
    expect(await errcodeOf(platform.sdk("sendTemplate", openid, template.template_id, "", data))).toBe(43004);
    expect(await errcodeOf(platform.sdk("sendText", openid, "x"))).toBe(45015);
  });

  it("api_add_template (wechat-api posts only template_id_short), get_all_…, del_private_template", async () => {
    const added = await platform.sdk("addTemplate", "TM00015");
    expect(added).toEqual({ errcode: 0, errmsg: "ok", template_id: expect.stringMatching(/^[\w-]{43}$/) });
    const all = (await platform.sdk("getAllPrivateTemplate")).template_list as { template_id: string }[];
    expect(all.map((t) => t.template_id)).toEqual([template.template_id, added.template_id]);
    expect(await platform.sdk("delPrivateTemplate", added.template_id)).toEqual({ errcode: 0, errmsg: "ok" });
    expect(await errcodeOf(platform.sdk("delPrivateTemplate", added.template_id))).toBe(40037);
  });
});
