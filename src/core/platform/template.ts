import type { ApiRoute, Call, PlatformContext } from "./route.js";
import type { PlatformStore } from "./store.js";
import { type Template, templateId } from "./template-data.js";
import { templateKeys, valueFits } from "./template-rules.js";
import { BAD_JSON, done, fail, isRecord, ok, type Outcome } from "./transport.js";

/** Templates an account may hold (old template page: 25). */
export const MAX_TEMPLATES = 25;
/** How long after a send the TEMPLATESENDJOBFINISH event is pushed ("a moment later"). */
export const JOB_FINISH_DELAY_MS = 200;

/** Adds a template as the 测试号 page does (free-form title and content); undefined past MAX_TEMPLATES. */
export function addTemplate(store: PlatformStore, title: string, content: string): Template | undefined {
  if (store.templates.size >= MAX_TEMPLATES) return undefined;
  const template = {
    template_id: templateId(),
    title,
    primary_industry: "",
    deputy_industry: "",
    content,
    example: "",
  };
  store.templates.set(template.template_id, template);
  store.changed();
  return template;
}

/** Checks a send's `data` against the template: each entry `{value}`, typed keywords by their rule (47003). */
function checkData(template: Template, data: unknown): Outcome | undefined {
  if (!isRecord(data)) return fail(47003, "data must be an object of {key: {value}}", "argument invalid! data invalid");
  const known = new Set(templateKeys(template.content));
  for (const [key, entry] of Object.entries(data)) {
    const value = isRecord(entry) ? entry.value : undefined;
    const invalid = `argument invalid! data.${key}.value invalid`;
    if (typeof value !== "string") return fail(47003, `data.${key}: {"value": "…"}`, invalid);
    if (known.has(key) && !valueFits(key, value)) return fail(47003, `data.${key}: breaks the ${key} rule`, invalid);
  }
  return undefined;
}

/** Template messages: api_add_template, get_all_private_template, del_private_template, message/template/send. */
export function templateRoutes(ctx: PlatformContext): ApiRoute[] {
  const { store } = ctx;
  return [
    {
      method: "POST",
      path: "/cgi-bin/template/api_add_template",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        const short = body.template_id_short;
        if (typeof short !== "string" || short === "") return fail(47001, "template_id_short is missing");
        // A test account has no template library: the keywords given (or three) make the template.
        const names = Array.isArray(body.keyword_name_list) ? body.keyword_name_list.map(String) : ["", "", ""];
        if (names.length === 0) return fail(40246, "keyword_name_list is empty");
        const content = names.map((name, i) => `${name ? `${name}：` : ""}{{keyword${i + 1}.DATA}}`).join("\n");
        const template = addTemplate(store, `模板 ${short}`, content);
        return template === undefined
          ? fail(45026, `${MAX_TEMPLATES} templates at most`)
          : done({ template_id: template.template_id });
      },
    },
    {
      method: "GET",
      path: "/cgi-bin/template/get_all_private_template",
      token: true,
      handle: () => ok({ template_list: [...store.templates.values()] }),
    },
    {
      method: "POST",
      path: "/cgi-bin/template/del_private_template",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        if (typeof body.template_id !== "string" || !store.templates.delete(body.template_id))
          return fail(40037, "no such template");
        store.changed();
        return done();
      },
    },
    {
      method: "POST",
      path: "/cgi-bin/message/template/send",
      token: true,
      handle: async (call: Call) => {
        const body = await call.json();
        if (body === BAD_JSON || !isRecord(body)) return fail(47001);
        if (typeof body.template_id !== "string" || body.template_id === "")
          return fail(40036, "template_id is missing");
        const template = store.templates.get(body.template_id);
        if (template === undefined) return fail(40037, "no such template (get_all_private_template lists them)");
        const user = typeof body.touser === "string" ? store.followers.get(body.touser) : undefined;
        if (user === undefined) return fail(40003, `touser ${String(body.touser)} is not a user of this account`);
        if (!user.subscribed) return fail(43004, "the user unfollowed");
        const refused = checkData(template, body.data);
        if (refused !== undefined) return refused;
        if (
          body.miniprogram !== undefined &&
          !(isRecord(body.miniprogram) && typeof body.miniprogram.appid === "string")
        )
          return fail(47003, "miniprogram: {appid, pagepath}", "argument invalid! miniprogram.appid invalid");
        const msgid = store.takeMsgId();
        store.changed();
        const time = store.clock.now();
        store.events.emit({ type: "template", time, openid: user.openid, msgid, template: template.template_id, body });
        setTimeout(() => {
          void ctx.pusher.push(user.openid, {
            event: "TEMPLATESENDJOBFINISH",
            fields: { MsgID: String(msgid), Status: "success" },
          });
        }, JOB_FINISH_DELAY_MS).unref();
        return done({ msgid });
      },
    },
  ];
}
