import { append, type Child } from "../shared/dom.js";

export { type Child, h } from "../shared/dom.js";

/** Empties an element and fills it again. */
export function replace(element: Element, ...children: Child[]): void {
  element.replaceChildren();
  append(element, ...children);
}
