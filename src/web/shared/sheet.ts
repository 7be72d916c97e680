import { byId, h } from "./dom.js";

/** One field of a form sheet: a labelled input, a choice, or a file. */
export interface SheetField {
  name: string;
  label: string;
  value?: string;
  type?: "text" | "number" | "file";
  /** A choice instead of text: value → label. */
  options?: [string, string][];
  accept?: string;
  multiple?: boolean;
}

/** What a filled sheet returns: each field's text, and the files of file fields. */
export interface SheetAnswer {
  values: Record<string, string>;
  files: Record<string, File[]>;
}

/**
 * Asks for a few values in a WeUI dialog over the phone (role dialog, labelled fields, 确定/取消): resolves with
 * the answer, or undefined when cancelled. One sheet at a time, in #sheet-host.
 */
export function ask(title: string, fields: SheetField[]): Promise<SheetAnswer | undefined> {
  const host = byId("sheet-host");
  return new Promise((resolve) => {
    const inputs = fields.map((field) => {
      const id = `sheet-${field.name}`;
      const control = field.options
        ? h("select", { id, name: field.name }, ...field.options.map(([value, label]) => h("option", { value }, label)))
        : h("input", {
            id,
            name: field.name,
            type: field.type ?? "text",
            value: field.value,
            accept: field.accept,
            multiple: field.multiple,
          });
      if (field.options && field.value !== undefined) (control as HTMLSelectElement).value = field.value;
      return { field, control, row: h("label", { for: id, class: "sheet-row" }, field.label, control) };
    });
    const close = (answer: SheetAnswer | undefined): void => {
      host.replaceChildren();
      resolve(answer);
    };
    const form = h(
      "form",
      { class: "sheet-form" },
      ...inputs.map(({ row }) => row),
      h(
        "div",
        { class: "weui-dialog__ft" },
        h(
          "button",
          { type: "button", class: "weui-dialog__btn weui-dialog__btn_default", onclick: () => close(undefined) },
          "取消",
        ),
        h("button", { type: "submit", class: "weui-dialog__btn weui-dialog__btn_primary" }, "确定"),
      ),
    );
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer: SheetAnswer = { values: {}, files: {} };
      for (const { field, control } of inputs) {
        answer.values[field.name] = control.value;
        if (control instanceof HTMLInputElement && control.files) answer.files[field.name] = [...control.files];
      }
      close(answer);
    });
    host.replaceChildren(
      h("div", { class: "weui-mask" }),
      h(
        "div",
        { class: "weui-dialog", role: "dialog", "aria-modal": "true", "aria-label": title },
        h("div", { class: "weui-dialog__hd" }, h("strong", { class: "weui-dialog__title" }, title)),
        form,
      ),
    );
    inputs[0]?.control.focus();
  });
}

/** A WeUI toast for a moment (the client's 消息接收中 and the like); returns a function that hides it early. */
export function toast(text: string, ms = 2000): () => void {
  const host = byId("sheet-host");
  const element = h(
    "div",
    { role: "status" },
    h("div", { class: "weui-mask_transparent" }),
    h(
      "div",
      { class: "weui-toast" },
      h("i", { class: "weui-loading weui-icon_toast" }),
      h("p", { class: "weui-toast__content" }, text),
    ),
  );
  host.append(element);
  const hide = (): void => element.remove();
  setTimeout(hide, ms);
  return hide;
}

/** Offers a few choices in a WeUI action sheet (one tap each, 取消 below); resolves with the value, or undefined. */
export function choose(title: string, options: [string, string][]): Promise<string | undefined> {
  const host = byId("sheet-host");
  return new Promise((resolve) => {
    const close = (value: string | undefined): void => {
      host.replaceChildren();
      resolve(value);
    };
    const cell = (label: string, value: string | undefined) =>
      h("button", { type: "button", class: "weui-actionsheet__cell", onclick: () => close(value) }, label);
    host.replaceChildren(
      h("div", { class: "weui-mask", onclick: () => close(undefined) }),
      h(
        "div",
        {
          class: "weui-actionsheet weui-actionsheet_toggle",
          role: "dialog",
          "aria-modal": "true",
          "aria-label": title,
        },
        h("div", { class: "weui-actionsheet__title" }, h("p", { class: "weui-actionsheet__title-text" }, title)),
        h("div", { class: "weui-actionsheet__menu" }, ...options.map(([value, label]) => cell(label, value))),
        h("div", { class: "weui-actionsheet__action" }, cell("取消", undefined)),
      ),
    );
  });
}
