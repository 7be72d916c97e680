import { describe, expect, it } from "vitest";
import { fieldsFromFlags } from "../../src/cli/messages/message-flags.js";
import { EVENT_SPECS, MESSAGE_SPECS } from "../../src/core/wire/message-types.js";
import { buildEvent, buildMessage } from "../../src/core/wire/messages.js";
import { buildXml, parseXml, type XmlRecord } from "../../src/core/wire/xml.js";
import { runMain } from "../helpers/main.js";

/** Events the SDKs type (wechatpy events.py, WxJava WxMpXmlMessage, the platform's pages), as WeChat writes them. */
const NEW_EVENTS: [event: string, xml: string[]][] = [
  ["user_gifting_card", ["<IsReturnBack>0</IsReturnBack><FriendUserName><![CDATA[", "<IsChatRoom>0</IsChatRoom>"]],
  ["user_view_card", ["<UserCardCode><![CDATA[12312312]]></UserCardCode><OuterStr><![CDATA[0]]></OuterStr>"]],
  ["user_enter_session_from_card", ["<CardId><![CDATA[", "<UserCardCode><![CDATA[12312312]]></UserCardCode>"]],
  ["update_member_card", ["<ModifyBonus>3</ModifyBonus><ModifyBalance>0</ModifyBalance>"]],
  ["card_sku_remind", ["<Detail><![CDATA[the card's stock is below 100]]></Detail>"]],
  ["card_pay_order", ["<OrderId><![CDATA[404091456]]></OrderId>", "<PayFinishTime>0</PayFinishTime>"]],
  ["submit_membercard_user_info", ["<CardId><![CDATA[", "<UserCardCode><![CDATA["]],
  ["qualification_verify_success", ["<ExpiredTime>1800000000</ExpiredTime>"]],
  ["qualification_verify_fail", ["<FailTime>1700000000</FailTime><FailReason><![CDATA["]],
  ["naming_verify_success", ["<ExpiredTime>"]],
  ["naming_verify_fail", ["<FailTime>", "<FailReason>"]],
  ["annual_renew", ["<ExpiredTime>"]],
  ["verify_expired", ["<ExpiredTime>"]],
  ["user_info_modified", ["<OpenID><![CDATA[oWxdevUser000000000000000001]]></OpenID><AppID><![CDATA["]],
  ["user_authorization_revoke", ["<OpenID><![CDATA[", "<RevokeInfo><![CDATA[301]]></RevokeInfo>"]],
];

const built = (record: XmlRecord): string => buildXml(record);

describe("the events the SDKs type, each declared once with its source", () => {
  it.each(NEW_EVENTS)("%s: built as the platform writes it, and read back", (event, xml) => {
    const text = built(buildEvent(event));
    for (const part of xml) expect(text).toContain(part);
    expect(parseXml(text).Event).toBe(event);
    expect(EVENT_SPECS[event]?.source).toMatch(/page|wechatpy|WxJava/);
  });

  it("every field only some sources carry names its source", () => {
    const sourced = [
      ...Object.values(MESSAGE_SPECS).flatMap((spec) => spec.fields),
      ...Object.values(EVENT_SPECS).flatMap((spec) => spec.fields.flatMap((f) => [f, ...(f.children ?? [])])),
    ].filter((field) => ["MsgDataId", "Idx", "bizmsgmenuid", "IsRecommendByFriend", "fail_idx"].includes(field.name));
    expect(sourced.length).toBeGreaterThanOrEqual(16);
    for (const field of sourced) expect(field.source, field.name).toMatch(/page|WxJava/);
  });
});

describe("fields the SDKs carry that wxdev lacked", () => {
  it.each(["image", "voice", "video", "shortvideo", "location", "link"])(
    "%s takes MsgDataId and Idx (a message from an article's comment area)",
    (type) => {
      const fields = fieldsFromFlags(type, [], { msgDataId: "2247483651", idx: "2" });
      expect(built(buildMessage(type, fields))).toContain("<MsgDataId>2247483651</MsgDataId><Idx>2</Idx>");
    },
  );

  it("text takes bizmsgmenuid (a tap in a msgmenu customer-service message)", () => {
    const fields = fieldsFromFlags("text", ["yes"], { bizMsgMenuId: "101" });
    expect(built(buildMessage("text", fields))).toContain("<bizmsgmenuid><![CDATA[101]]></bizmsgmenuid>");
  });

  it("user_get_card carries IsRecommendByFriend; user_consume_card LocationName, VerifyCode…", () => {
    expect(built(buildEvent("user_get_card"))).toContain("<IsRecommendByFriend>0</IsRecommendByFriend>");
    const values = { locationName: "外滩店", verifyCode: "1234", remarkAmount: "12.5", outerStr: "qr42" };
    const text = built(buildEvent("user_consume_card", fieldsFromFlags("event:user_consume_card", [], values)));
    expect(text).toContain("<LocationName><![CDATA[外滩店]]></LocationName>");
    expect(text).toContain("<VerifyCode><![CDATA[1234]]></VerifyCode><RemarkAmount><![CDATA[12.5]]></RemarkAmount>");
    expect(text).toContain("<OuterStr><![CDATA[qr42]]></OuterStr>");
  });

  it("PUBLISHJOBFINISH: article_id and article_detail only when published (0), fail_idx for 2 and 4", () => {
    const event = (values: Record<string, unknown>) =>
      built(buildEvent("PUBLISHJOBFINISH", fieldsFromFlags("event:PUBLISHJOBFINISH", [], values)));
    expect(event({})).toContain("<article_id>");
    expect(event({})).not.toContain("fail_idx");
    const refused = event({ publishStatus: "2", failIdx: ["1", "3"] });
    expect(refused).toContain("<publish_status>2</publish_status><fail_idx>1</fail_idx><fail_idx>3</fail_idx>");
    expect(refused).not.toContain("article_");
    const failed = event({ publishStatus: "3" });
    expect(failed).not.toMatch(/article_|fail_idx/);
    expect(() => event({ publishStatus: "0", failIdx: ["1"] })).toThrow(
      /fail_idx is sent only when publish_status is 2 or 4 \(here "0"\)/,
    );
  });
});

describe("simulate sends them", () => {
  it("event publishjobfinish --publish-status 4 --fail-idx 2: the request as WeChat sends it", async () => {
    const args = ["simulate", "event", "publishjobfinish", "--publish-status", "4", "--fail-idx", "2", "--json"];
    const result = await runMain([...args, "--url", "http://127.0.0.1:9/wechat"], { env: { WXDEV_TOKEN: "t" } });
    const body = JSON.parse(result.stdout).request.body as string;
    expect(body).toContain("<publish_status>4</publish_status><fail_idx>2</fail_idx></PublishEventInfo>");
  });

  it("--fail-idx with a published status is bad input: exit 2, one line", async () => {
    const args = ["simulate", "event", "publishjobfinish", "--fail-idx", "2", "--url", "http://127.0.0.1:9/w"];
    const result = await runMain(args, { env: { WXDEV_TOKEN: "t" } });
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^wxdev: fail_idx is sent only when publish_status is 2 or 4/);
  });
});
