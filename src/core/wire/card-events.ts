/**
 * The card and coupon (卡券) events, one declaration each, field names as WeChat writes them. Source of
 * each: the platform's card event page (Coupons_Vouchers_and_Cards_Event_Push_Messages), with the SDK that
 * types it: wechatpy `wechatpy/events.py`, WxJava `WxMpXmlMessage` / `WxConsts.EventType`.
 */
import { type EventSpec, type FieldSpec, num, text } from "./field-spec.js";

const CARD_PAGE = "the platform's card event page (Coupons_Vouchers_and_Cards_Event_Push_Messages)";
const source = (sdks: string): string => `${CARD_PAGE}; ${sdks}`;

const cardId = text("CardId", { sample: "pFS7Fjg8kV1IdDz01r4SQwMkuCKc", flag: "--card-id <id>" });
const cardCode = text("UserCardCode", { sample: "12312312", flag: "--card-code <code>" });
const outerStr = (sample?: string): FieldSpec =>
  text("OuterStr", { sample, optional: sample === undefined, flag: "--outer-str <text>", flagHelp: "the channel" });
const friend = text("FriendUserName", { sample: "oWxdevFriend00000000000000001", flag: "--friend <openid>" });

/** Card events: Event → declaration. Those from a user's action may be answered; the others are notifications. */
export const CARD_EVENTS: Record<string, EventSpec> = {
  card_pass_check: { fields: [cardId], summary: "CardId", notification: true, source: source("wechatpy") },
  card_not_pass_check: {
    fields: [cardId, text("RefuseReason", { sample: "the logo is blurred", flag: "--reason <text>" })],
    summary: "CardId",
    notification: true,
    source: source("wechatpy, WxJava"),
  },
  user_get_card: {
    fields: [
      cardId,
      num("IsGiveByFriend", { sample: "0" }),
      cardCode,
      text("FriendUserName", { optional: true }),
      num("OuterId", { sample: "0" }),
      text("OldUserCardCode", { optional: true }),
      outerStr(),
      num("IsRestoreMemberCard", { sample: "0" }),
      num("IsRecommendByFriend", { sample: "0", source: "WxJava WxMpXmlMessage.isRecommendByFriend" }),
      text("UnionId", { optional: true }),
    ],
    summary: "CardId",
    source: source("wechatpy UserGetCardEvent, WxJava"),
  },
  user_gifting_card: {
    fields: [cardId, cardCode, num("IsReturnBack", { sample: "0" }), friend, num("IsChatRoom", { sample: "0" })],
    summary: "CardId",
    source: source("wechatpy UserGiftingCardEvent, WxJava isReturnBack/isChatRoom"),
  },
  user_del_card: { fields: [cardId, cardCode], summary: "CardId", source: source("wechatpy UserDeleteCardEvent") },
  user_consume_card: {
    fields: [
      cardId,
      cardCode,
      text("ConsumeSource", {
        sample: "FROM_API",
        flag: "--consume-source <source>",
        flagHelp: "FROM_API, FROM_MP…",
      }),
      text("LocationName", { optional: true, flag: "--location-name <name>", flagHelp: "the shop" }),
      text("StaffOpenId", { optional: true }),
      text("VerifyCode", { optional: true, flag: "--verify-code <code>", flagHelp: "typed by the user" }),
      text("RemarkAmount", { optional: true, flag: "--remark-amount <amount>", flagHelp: "typed by the user" }),
      outerStr(),
    ],
    summary: "CardId",
    source: source("wechatpy UserConsumeCardEvent, WxJava locationName/verifyCode/remarkAmount/outerStr"),
  },
  user_view_card: {
    fields: [cardId, cardCode, outerStr("0")],
    summary: "CardId",
    source: source("wechatpy User_View_Card, WxJava"),
  },
  user_enter_session_from_card: {
    fields: [cardId, cardCode],
    summary: "CardId",
    source: source("WxJava WxConsts.EventType.USER_ENTER_SESSION_FROM_CARD"),
  },
  update_member_card: {
    fields: [
      cardId,
      cardCode,
      num("ModifyBonus", { sample: "3", flag: "--bonus <points>", flagHelp: "the change of points" }),
      num("ModifyBalance", { sample: "0", flag: "--balance <amount>", flagHelp: "the change of balance" }),
    ],
    summary: "CardId",
    notification: true,
    source: source("WxJava modifyBonus/modifyBalance"),
  },
  card_sku_remind: {
    fields: [cardId, text("Detail", { sample: "the card's stock is below 100", flag: "--detail <text>" })],
    summary: "CardId",
    notification: true,
    source: source("WxJava WxMpXmlMessage.detail"),
  },
  card_pay_order: {
    fields: [
      text("OrderId", { sample: "404091456", flag: "--order-id <id>" }),
      text("Status", { sample: "ORDER_STATUS_FINANCE_SUCC", flag: "--status <status>" }),
      num("CreateOrderTime", { sample: "1453295737" }),
      num("PayFinishTime", { sample: "0" }),
      text("Desc", { sample: "", optional: true }),
      text("FreeCoinCount", { sample: "200" }),
      text("PayCoinCount", { sample: "0" }),
      text("RefundFreeCoinCount", { sample: "0" }),
      text("RefundPayCoinCount", { sample: "0" }),
      text("OrderType", { sample: "ORDER_TYPE_SYS_ADD" }),
      text("Memo", { sample: "开通账户奖励" }),
      text("ReceiptInfo", { sample: "", optional: true }),
    ],
    summary: "Status",
    notification: true,
    source: source("WxJava payFinishTime…receiptInfo"),
  },
  submit_membercard_user_info: {
    fields: [cardId, cardCode],
    summary: "CardId",
    source: source("wechatpy SubmitMembercardUserInfo"),
  },
};
