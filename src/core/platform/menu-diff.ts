import { normaliseMenu } from "./menu-rules.js";
import { isRecord } from "./transport.js";

/** One difference between the menu in force and a file: a field set, removed or changed, by its path. */
export interface MenuChange {
  path: string;
  kind: "added" | "removed" | "changed";
  before?: string;
  after?: string;
}

/** A menu as `path → value` for each field of each button (`button[1].sub_button[0].url`). */
function flatten(menu: unknown): Map<string, string> {
  const fields = new Map<string, string>();
  const walk = (value: unknown, path: string): void => {
    if (Array.isArray(value)) for (const [index, item] of value.entries()) walk(item, `${path}[${index}]`);
    else if (isRecord(value))
      for (const [key, item] of Object.entries(value)) walk(item, path ? `${path}.${key}` : key);
    else fields.set(path, typeof value === "string" ? value : JSON.stringify(value));
  };
  walk(normaliseMenu(menu), "");
  return fields;
}

/** What pushing `next` would change in `current` (undefined: no menu), field by field, in the file's order. */
export function diffMenus(current: unknown, next: unknown): MenuChange[] {
  const before = current === undefined ? new Map<string, string>() : flatten(current);
  const after = flatten(next);
  const changes: MenuChange[] = [];
  for (const [path, value] of after) {
    const old = before.get(path);
    if (old === undefined) changes.push({ path, kind: "added", after: value });
    else if (old !== value) changes.push({ path, kind: "changed", before: old, after: value });
  }
  for (const [path, value] of before) if (!after.has(path)) changes.push({ path, kind: "removed", before: value });
  return changes;
}
