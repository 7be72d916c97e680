/**
 * The value rules of a 类目模板's typed keywords (`thing1`, `time2`, …: the 模板消息 page's table,
 * shared with subscribe messages). A value that breaks its key's rule is refused with 47003 `argument invalid!
 * data.<key>.value invalid`, as live answers show; keys without a type (keyword1, first, remark) take any text.
 */
const HAN = /\p{Script=Han}/u;
const RULES: Record<string, (value: string) => boolean> = {
  thing: (v) => [...v].length <= 20,
  number: (v) => v.length <= 32 && /^\d+(\.\d+)?$/.test(v),
  letter: (v) => v.length <= 32 && /^[A-Za-z]+$/.test(v),
  symbol: (v) => [...v].length <= 5 && /^[^\p{L}\p{N}\s]+$/u.test(v),
  character_string: (v) => v.length <= 32 && /^[\x21-\x7e]+$/.test(v),
  time: (v) => v.length <= 40 && /\d/.test(v) && /^[\d\s年月日时分秒:：\-/~.至]+$/u.test(v),
  date: (v) => v.length <= 40 && /\d/.test(v) && /^[\d\s年月日时分秒:：\-/~.至]+$/u.test(v),
  amount: (v) => /^[¥$￥]?\d{1,10}(\.\d{1,2})?元?$/.test(v),
  phone_number: (v) => v.length <= 17 && /^[\d+\-() ]+$/.test(v),
  car_number: (v) => [...v].length <= 8,
  name: (v) => (HAN.test(v) ? [...v].length <= 10 : v.length <= 20),
  phrase: (v) => /^\p{Script=Han}{1,5}$/u.test(v),
  const: (v) => [...v].length <= 20,
};

/** The type of a keyword by its name (`character_string12` → character_string), if it has one. */
export function keywordType(key: string): string | undefined {
  const type = /^([a-z_]+?)\d+$/.exec(key)?.[1];
  return type !== undefined && type in RULES ? type : undefined;
}

/** Whether a value suits its key: true for untyped keys. */
export function valueFits(key: string, value: string): boolean {
  const type = keywordType(key);
  return type === undefined || (RULES[type]?.(value) ?? true);
}

/** The keywords a template's content names: `{{thing1.DATA}}` → thing1. */
export function templateKeys(content: string): string[] {
  return [...content.matchAll(/\{\{\s*([\w]+)\.DATA\s*\}\}/g)].map((match) => match[1] ?? "");
}
