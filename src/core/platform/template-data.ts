// A template: its shape, its id, and the one every account starts with (no route, no store: both use it).
import { createHash, randomBytes } from "node:crypto";

/** A template of the account (the 测试号 page's free-form ones, or api_add_template's). */
export interface Template {
  template_id: string;
  title: string;
  primary_industry: string;
  deputy_industry: string;
  content: string;
  example: string;
}

/** A template id shaped like the platform's: 43 characters of base64url. */
export function templateId(seed?: string): string {
  const bytes = seed === undefined ? randomBytes(32) : createHash("sha256").update(seed).digest();
  return bytes.toString("base64url").slice(0, 43);
}

/** The template every mock account starts with (as a 测试号 page's first template), its id fixed per appId. */
export function fixtureTemplate(appId: string): Template {
  return {
    template_id: templateId(`${appId}:template`),
    title: "预约成功通知",
    primary_industry: "",
    deputy_industry: "",
    content: "预约项目：{{thing1.DATA}}\n预约时间：{{time2.DATA}}\n预约人：{{name3.DATA}}",
    example: "预约项目：体检\n预约时间：2024年5月4日 09:00\n预约人：张三",
  };
}
