import { describe, expect, it } from "vitest";
import { buildEvent, buildMessage } from "../../src/core/wire/messages.js";
import { buildXml, parseXml, type XmlRecord } from "../../src/core/wire/xml.js";

/**
 * Each event as the platform's sample XML writes it (field names, CDATA or bare, nesting), cross-checked
 * with wechatpy `wechatpy/events.py`, WxJava `WxMpXmlMessage` and silenceper/wechat
 * `officialaccount/message/message.go` (SubscribeMsg…Event/List); PublishEventInfo as in Senparc's
 * `Publish_Event_Info.cs`. Built, written, parsed back: the fields, and the XML as WeChat writes it.
 */
const EVENTS: [event: string, fields: XmlRecord, xml: string[]][] = [
  [
    "view_miniprogram",
    { EventKey: "pages/index/index", MenuId: "414813226" },
    ["<EventKey><![CDATA[pages/index/index]]></EventKey>", "<MenuId>414813226</MenuId>"],
  ],
  ["VIEW", { EventKey: "https://example.com/", MenuId: "414813226" }, ["<MenuId>414813226</MenuId>"]],
  [
    "TEMPLATESENDJOBFINISH",
    { MsgID: "200163836", Status: "success" },
    ["<MsgID>200163836</MsgID>", "<Status><![CDATA[success]]></Status>"],
  ],
  [
    "MASSSENDJOBFINISH",
    {
      MsgID: "1000001625",
      Status: "send success",
      TotalCount: "100",
      FilterCount: "80",
      SentCount: "75",
      ErrorCount: "5",
      CopyrightCheckResult: {
        Count: "1",
        ResultList: {
          item: [
            {
              ArticleIdx: "1",
              UserDeclareState: "0",
              AuditState: "2",
              OriginalArticleUrl: "https://mp.weixin.qq.com/s/wxdev",
              OriginalArticleType: "1",
              CanReprint: "1",
              NeedReplaceContent: "1",
              NeedShowReprintSource: "1",
            },
          ],
        },
        CheckState: "2",
      },
    },
    [
      "<TotalCount>100</TotalCount><FilterCount>80</FilterCount><SentCount>75</SentCount><ErrorCount>5</ErrorCount>",
      "<CopyrightCheckResult><Count>1</Count><ResultList><item><ArticleIdx>1</ArticleIdx>",
      "</item></ResultList><CheckState>2</CheckState></CopyrightCheckResult>",
    ],
  ],
  [
    "subscribe_msg_popup_event",
    {
      SubscribeMsgPopupEvent: {
        List: [
          {
            TemplateId: "VRR0UEO9VJOLs0MHlU0OilqX6MVFDwH3_3gz3Oc0NIc",
            SubscribeStatusString: "accept",
            PopupScene: "2",
          },
        ],
      },
    },
    ["<SubscribeMsgPopupEvent><List><TemplateId><![CDATA[VRR0", "<PopupScene>2</PopupScene></List>"],
  ],
  [
    "subscribe_msg_change_event",
    { SubscribeMsgChangeEvent: { List: [{ TemplateId: expect.any(String), SubscribeStatusString: "reject" }] } },
    ["<SubscribeStatusString><![CDATA[reject]]></SubscribeStatusString></List></SubscribeMsgChangeEvent>"],
  ],
  [
    "subscribe_msg_sent_event",
    {
      SubscribeMsgSentEvent: {
        List: [
          { TemplateId: expect.any(String), MsgID: "1700827132819554304", ErrorCode: "0", ErrorStatus: "success" },
        ],
      },
    },
    ["<MsgID>1700827132819554304</MsgID><ErrorCode>0</ErrorCode><ErrorStatus><![CDATA[success]]></ErrorStatus>"],
  ],
  [
    "PUBLISHJOBFINISH",
    {
      PublishEventInfo: {
        publish_id: "2247503051",
        publish_status: "0",
        article_id: expect.any(String),
        article_detail: { count: "1", item: [{ idx: "1", article_url: expect.stringMatching(/^https:/) }] },
      },
    },
    ["<PublishEventInfo><publish_id>2247503051</publish_id><publish_status>0</publish_status><article_id><![CDATA["],
  ],
  ["kf_create_session", { KfAccount: "kf2001@wxdev" }, ["<KfAccount><![CDATA[kf2001@wxdev]]></KfAccount>"]],
  ["kf_close_session", { KfAccount: "kf2001@wxdev" }, ["<KfAccount><![CDATA[kf2001@wxdev]]></KfAccount>"]],
  [
    "kf_switch_session",
    { FromKfAccount: "kf2001@wxdev", ToKfAccount: "kf2002@wxdev" },
    ["<FromKfAccount><![CDATA[kf2001@wxdev]]></FromKfAccount><ToKfAccount><![CDATA[kf2002@wxdev]]></ToKfAccount>"],
  ],
  [
    "location_select",
    {
      SendLocationInfo: {
        Location_X: "39.915119",
        Location_Y: "116.403963",
        Scale: "15",
        Label: "天安门",
        Poiname: "",
      },
    },
    // The platform's sample: every SendLocationInfo child as CDATA, numbers included.
    ["<SendLocationInfo><Location_X><![CDATA[39.915119]]></Location_X>", "<Scale><![CDATA[15]]></Scale>"],
  ],
  [
    "pic_sysphoto",
    { SendPicsInfo: { Count: "1", PicList: { item: [{ PicMd5Sum: expect.stringMatching(/^[0-9a-f]{32}$/) }] } } },
    ["<SendPicsInfo><Count>1</Count><PicList><item><PicMd5Sum><![CDATA["],
  ],
  [
    "scancode_waitmsg",
    { ScanCodeInfo: { ScanType: "qrcode", ScanResult: "https://example.com/qr" } },
    ["<ScanCodeInfo><ScanType><![CDATA[qrcode]]></ScanType><ScanResult><![CDATA[https://example.com/qr]]>"],
  ],
  ["card_not_pass_check", { CardId: expect.any(String), RefuseReason: expect.any(String) }, ["<CardId><![CDATA["]],
  [
    "user_get_card",
    { CardId: expect.any(String), UserCardCode: "12312312", IsGiveByFriend: "0", IsRestoreMemberCard: "0" },
    ["<IsGiveByFriend>0</IsGiveByFriend>"],
  ],
];

describe("the events of protocol §8, built as WeChat sends them", () => {
  it.each(EVENTS)("%s: its documented fields, written as WeChat writes them and read back", (event, fields, xml) => {
    const built = buildEvent(event);
    const written = buildXml(built);
    for (const fragment of xml) expect(written).toContain(fragment);
    const parsed = parseXml(written);
    expect(parsed).toEqual(built);
    expect(parsed).toMatchObject({ MsgType: "event", Event: event, ...fields });
  });

  it("keeps a list's count in step with the items given, unless the count is given too", () => {
    const two = buildEvent("pic_weixin", {
      SendPicsInfo: { PicList: { item: [{ PicMd5Sum: "a" }, { PicMd5Sum: "b" }] } },
    });
    expect(two.SendPicsInfo).toEqual({ Count: "2", PicList: { item: [{ PicMd5Sum: "a" }, { PicMd5Sum: "b" }] } });
    const told = buildEvent("pic_weixin", { SendPicsInfo: { Count: "5", PicList: { item: [{ PicMd5Sum: "a" }] } } });
    expect(told.SendPicsInfo).toMatchObject({ Count: "5" });
  });

  it("merges nested overrides into the samples, field by field and item by item", () => {
    const located = buildEvent("location_select", { SendLocationInfo: { Location_X: "1.5", Label: undefined } });
    expect(located.SendLocationInfo).toEqual({
      Location_X: "1.5",
      Location_Y: "116.403963",
      Scale: "15",
      Label: "天安门",
      Poiname: "",
    });
    const popup = buildEvent("subscribe_msg_popup_event", {
      SubscribeMsgPopupEvent: { List: [{ TemplateId: "T1" }, { TemplateId: "T2", SubscribeStatusString: "reject" }] },
    });
    expect(popup.SubscribeMsgPopupEvent).toEqual({
      List: [
        { TemplateId: "T1", SubscribeStatusString: "accept", PopupScene: "2" },
        { TemplateId: "T2", SubscribeStatusString: "reject", PopupScene: "2" },
      ],
    });
    expect(parseXml(buildXml(popup))).toEqual(popup);
  });

  it("text carries MsgDataId and Idx only when asked; video and shortvideo carry ThumbMediaId", () => {
    expect(buildMessage("text", { Content: "hi" })).not.toHaveProperty("MsgDataId");
    const fromArticle = buildXml(buildMessage("text", { Content: "hi", MsgDataId: "2247483651", Idx: "1" }));
    expect(fromArticle).toContain("<MsgDataId>2247483651</MsgDataId><Idx>1</Idx>");
    for (const type of ["video", "shortvideo"])
      expect(buildMessage(type).ThumbMediaId, type).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});
