import { isRecord, utf8Bytes } from "./transport.js";

/**
 * The custom menu's rules, shared by the mock's menu/create and `wxdev menu validate`. Source: the current
 * 自定义菜单/创建接口 page (developers.weixin.qq.com doc/service/api/custommenu/api_createcustommenu). Where
 * older copies of that page disagree, the current page wins: a sub-button's name is ≤ 60 bytes (2013–2016
 * copies: 40), a URL ≤ 1024 bytes (2013–2015 copies: 256).
 */
export const MENU_LIMITS = {
  buttons: 3,
  subButtons: 5,
  nameBytes: 16,
  subNameBytes: 60,
  keyBytes: 128,
  urlBytes: 1024,
} as const;

/** Types whose click the app receives as an event with the button's key. */
const KEY_TYPES = [
  "click",
  "scancode_push",
  "scancode_waitmsg",
  "pic_sysphoto",
  "pic_photo_or_album",
  "pic_weixin",
  "location_select",
];
const URL_TYPES = ["view", "miniprogram"];
const MEDIA_TYPES = ["media_id", "view_limited"];
const ARTICLE_TYPES = ["article_id", "article_view_limited"];
/** Every button type the page lists. */
export const BUTTON_TYPES = [...KEY_TYPES, ...URL_TYPES, ...MEDIA_TYPES, ...ARTICLE_TYPES];

/** A menu as menu/create takes it (validated: only the documented keys are kept). */
export interface MenuButton {
  type?: string;
  name: string;
  key?: string;
  url?: string;
  media_id?: string;
  article_id?: string;
  appid?: string;
  pagepath?: string;
  sub_button?: MenuButton[];
}
export interface Menu {
  button: MenuButton[];
}

/** Why a menu was refused: the platform's errcode, the failing path (`button[1].sub_button[0].url`) and why. */
export interface MenuProblem {
  errcode: number;
  path: string;
  reason: string;
}

/** The errcodes of one level: first-level buttons, or sub-buttons. */
const CODES = {
  top: { type: 40017, name: 40018, key: 40019, url: 40020, domain: 40055, media: 40117 },
  sub: { type: 40024, name: 40025, key: 40026, url: 40027, domain: 40054, media: 40118 },
} as const;

/**
 * Checks a menu/create body in the order the platform's answers imply: the first-level count (40016), then
 * each button in turn. A missing required field is that field's "size" error (40019/40020/40026/40027, as
 * observed). Returns the menu with only its documented keys, or the first problem.
 */
export function validateMenu(body: unknown): { ok: true; menu: Menu } | { ok: false; problem: MenuProblem } {
  const problem = (errcode: number, path: string, reason: string) => ({
    ok: false as const,
    problem: { errcode, path, reason },
  });
  if (!isRecord(body) || !Array.isArray(body.button)) {
    const wrapped = isRecord(body) && isRecord(body.menu) ? ' (the body is {"menu":…}: post its contents)' : "";
    return problem(40016, "button", `missing: the body must be {"button":[…]}${wrapped}`);
  }
  if (body.button.length < 1 || body.button.length > MENU_LIMITS.buttons)
    return problem(40016, "button", `${body.button.length} buttons: 1 to ${MENU_LIMITS.buttons}`);
  const menu: Menu = { button: [] };
  for (const [index, value] of body.button.entries()) {
    const path = `button[${index}]`;
    if (!isRecord(value)) return problem(40017, path, "not an object");
    const subs = value.sub_button;
    if (isRecord(subs))
      return problem(40016, `${path}.sub_button`, 'an object: menu/create takes a list ([…]), not {"list":[…]}');
    if (Array.isArray(subs) && (subs.length > 0 || value.type === undefined)) {
      const name = checkText(value.name, MENU_LIMITS.nameBytes);
      if (name !== undefined) return problem(40018, `${path}.name`, name);
      if (subs.length < 1 || subs.length > MENU_LIMITS.subButtons)
        return problem(40023, `${path}.sub_button`, `${subs.length} sub-buttons: 1 to ${MENU_LIMITS.subButtons}`);
      const parent: MenuButton = { name: value.name as string, sub_button: [] };
      for (const [subIndex, sub] of subs.entries()) {
        const subPath = `${path}.sub_button[${subIndex}]`;
        if (isRecord(sub) && Array.isArray(sub.sub_button) && sub.sub_button.length > 0)
          return problem(40022, `${subPath}.sub_button`, "menus have two levels: a sub-button has no sub-buttons");
        const leaf = checkLeaf(sub, subPath, "sub");
        if ("errcode" in leaf) return { ok: false, problem: leaf };
        parent.sub_button?.push(leaf);
      }
      menu.button.push(parent);
    } else {
      const leaf = checkLeaf(value, path, "top");
      if ("errcode" in leaf) return { ok: false, problem: leaf };
      menu.button.push(leaf);
    }
  }
  return { ok: true, menu };
}

/** A button without sub-buttons: its type, name and the field its type needs. */
function checkLeaf(value: unknown, path: string, level: "top" | "sub"): MenuButton | MenuProblem {
  const codes = CODES[level];
  if (!isRecord(value)) return { errcode: codes.type, path, reason: "not an object" };
  const type = value.type;
  if (typeof type !== "string" || !BUTTON_TYPES.includes(type)) {
    const shown = type === undefined ? "missing" : `${JSON.stringify(type)} is not a button type`;
    return { errcode: codes.type, path: `${path}.type`, reason: `${shown}: one of ${BUTTON_TYPES.join(", ")}` };
  }
  const name = checkText(value.name, level === "top" ? MENU_LIMITS.nameBytes : MENU_LIMITS.subNameBytes);
  if (name !== undefined) return { errcode: codes.name, path: `${path}.name`, reason: name };
  const leaf: MenuButton = { type, name: value.name as string };
  if (KEY_TYPES.includes(type)) {
    const bad = checkText(value.key, MENU_LIMITS.keyBytes);
    if (bad !== undefined)
      return { errcode: codes.key, path: `${path}.key`, reason: `${bad} (a ${type} button needs key)` };
    leaf.key = value.key as string;
  } else if (URL_TYPES.includes(type)) {
    const bad = checkText(value.url, MENU_LIMITS.urlBytes);
    if (bad !== undefined)
      return { errcode: codes.url, path: `${path}.url`, reason: `${bad} (a ${type} button needs url)` };
    if (!/^https?:\/\/[^\s/?#]+/i.test(value.url as string) || !URL.canParse(value.url as string))
      return { errcode: codes.domain, path: `${path}.url`, reason: "not an http:// or https:// URL" };
    leaf.url = value.url as string;
    if (type === "miniprogram") {
      for (const field of ["appid", "pagepath"] as const) {
        if (typeof value[field] !== "string" || value[field] === "")
          return {
            errcode: 47001,
            path: `${path}.${field}`,
            reason: "missing (a miniprogram button needs appid and pagepath)",
          };
        leaf[field] = value[field] as string;
      }
    }
  } else if (MEDIA_TYPES.includes(type)) {
    if (typeof value.media_id !== "string" || value.media_id === "")
      return {
        errcode: codes.media,
        path: `${path}.media_id`,
        reason: `missing (a ${type} button needs a permanent media_id)`,
      };
    leaf.media_id = value.media_id;
  } else {
    // article_id: no errcode of its own is documented; the format error stands in.
    if (typeof value.article_id !== "string" || value.article_id === "")
      return { errcode: 47001, path: `${path}.article_id`, reason: `missing (an ${type} button needs article_id)` };
    leaf.article_id = value.article_id;
  }
  return leaf;
}

/** Why a required text field is not acceptable: missing, empty, or too many UTF-8 bytes. */
function checkText(value: unknown, maxBytes: number): string | undefined {
  if (value === undefined) return "missing";
  if (typeof value !== "string") return "not a string";
  if (value === "") return "empty";
  const bytes = utf8Bytes(value);
  return bytes > maxBytes ? `${bytes} bytes: at most ${maxBytes} (UTF-8; a 汉字 is 3)` : undefined;
}

/** The menu as menu/get shows it: every leaf with `"sub_button":[]`, a parent with name and sub_button only. */
export function menuGetShape(menu: Menu): { button: Record<string, unknown>[] } {
  const leaf = (button: MenuButton): Record<string, unknown> => {
    const { sub_button: _none, ...fields } = button;
    return { ...fields, sub_button: [] };
  };
  return {
    button: menu.button.map((button) =>
      button.sub_button === undefined ? leaf(button) : { name: button.name, sub_button: button.sub_button.map(leaf) },
    ),
  };
}

/** The menu as get_current_selfmenu_info shows it: sub_button is `{"list":[…]}`, leaves carry none. */
export function selfMenuShape(menu: Menu): { button: Record<string, unknown>[] } {
  return {
    button: menu.button.map((button) =>
      button.sub_button === undefined
        ? { ...button }
        : { name: button.name, sub_button: { list: button.sub_button.map((sub) => ({ ...sub })) } },
    ),
  };
}

/** A menu as a file or menu/get gives it, for comparing: `{"menu":{…}}` unwrapped, empty sub_button lists dropped. */
export function normaliseMenu(value: unknown): unknown {
  const body = isRecord(value) && isRecord(value.menu) ? value.menu : value;
  const strip = (button: unknown): unknown => {
    if (!isRecord(button)) return button;
    const { sub_button: subs, ...rest } = button;
    return Array.isArray(subs) && subs.length > 0 ? { ...rest, sub_button: subs.map(strip) } : rest;
  };
  return isRecord(body) && Array.isArray(body.button) ? { button: body.button.map(strip) } : body;
}
