import { createHash } from "node:crypto";
import type { UserInfo } from "../oauth/client.js";

/** Fixture followers of the mock account, with the CJK nicknames real ones have. */
export const FIXTURE_USERS = [
  { nickname: "张三", sex: 1, province: "广东", city: "广州", country: "中国" },
  { nickname: "小明🌟", sex: 1, province: "北京", city: "北京", country: "中国" },
  { nickname: "Alice 李", sex: 2, province: "上海", city: "上海", country: "中国" },
] as const;

/** The openid of fixture user `index` for `appId` (openids differ per account, as on the platform). */
export function fixtureOpenId(appId: string, index: number): string {
  const digest = createHash("sha256").update(`${appId}:${index}`).digest("base64url");
  return `o${digest.slice(0, 27)}`;
}

/** The full userinfo answer for fixture user `index`. */
function fixture(index: number): (typeof FIXTURE_USERS)[number] {
  const user = FIXTURE_USERS[index];
  if (user === undefined) throw new RangeError(`no fixture user ${index}`);
  return user;
}

export function fixtureUser(appId: string, index: number, origin: string): UserInfo {
  const user = fixture(index);
  return {
    openid: fixtureOpenId(appId, index),
    nickname: user.nickname,
    sex: user.sex,
    province: user.province,
    city: user.city,
    country: user.country,
    headimgurl: `${origin}/avatar/${index}.svg`,
    privilege: [],
  };
}

/** A tiny SVG avatar, so the demo page shows a picture without the network. */
export function avatarSvg(index: number): string {
  const colours = ["#07c160", "#1989fa", "#ff976a"];
  const letter = [...fixture(index).nickname][0];
  const fill = colours[index % colours.length];
  return (
    '<svg xmlns="http://www.w3.org/2000/svg" width="132" height="132">' +
    `<rect width="132" height="132" rx="16" fill="${fill}"/>` +
    `<text x="66" y="84" font-size="56" text-anchor="middle" fill="#fff">${letter}</text></svg>`
  );
}
