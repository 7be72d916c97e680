import type { MenuChange } from "../../../core/platform/menu-diff.js";
import type { Output } from "../../output.js";
import { printable } from "../../terminal/printable.js";

type Button = {
  name?: unknown;
  type?: unknown;
  key?: unknown;
  url?: unknown;
  media_id?: unknown;
  sub_button?: Button[];
};

/** The menu as a tree: each button's name, type and what it sends or opens. */
export function printMenu(out: Output, menu: Record<string, unknown>, base: string): void {
  out.line(`the menu in force on ${base}:`);
  const line = (button: Button, indent: string): void => {
    const target = button.key ?? button.url ?? button.media_id;
    const type = button.type === undefined ? "" : `  ${out.c.dim(printable(String(button.type)))}`;
    const sends = target === undefined ? "" : `  ${printable(String(target))}`;
    out.line(`${indent}${printable(String(button.name ?? ""))}${type}${sends}`);
  };
  for (const button of (menu.button as Button[] | undefined) ?? []) {
    line(button, "  ");
    for (const sub of button.sub_button ?? []) line(sub, "    ");
  }
}

/** What a push would change, one field a line (`~ button[0].name: "A" → "B"`). */
export function printChanges(out: Output, changes: MenuChange[]): void {
  if (changes.length === 0) {
    out.line("no change: the file is the menu in force");
    return;
  }
  for (const change of changes) {
    const path = printable(change.path);
    if (change.kind === "added") out.line(out.c.green(`+ ${path}: ${printable(JSON.stringify(change.after))}`));
    else if (change.kind === "removed") out.line(out.c.red(`- ${path}: ${printable(JSON.stringify(change.before))}`));
    else
      out.line(
        out.c.yellow(
          `~ ${path}: ${printable(JSON.stringify(change.before))} → ${printable(JSON.stringify(change.after))}`,
        ),
      );
  }
}
