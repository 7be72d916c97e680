import { ControlError, control, type PushAnswer } from "../shared/control.js";
import { byId } from "../shared/dom.js";
import { notice } from "./bubbles.js";
import { outcomeRows } from "./replies.js";

const thread = byId<HTMLOListElement>("thread");
const picker = byId<HTMLSelectElement>("follower");
/** Each follower's thread (the page shows one at a time). */
const threads = new Map<string, HTMLLIElement[]>();

/** The follower the phone belongs to now. */
export const me = (): string => picker.value;

/** Adds rows to a follower's thread (shown at once when it is the current one). */
export function show(openid: string, ...rows: HTMLLIElement[]): void {
  const list = threads.get(openid) ?? [];
  list.push(...rows);
  threads.set(openid, list);
  if (openid !== me()) return;
  thread.append(...rows);
  thread.scrollTop = thread.scrollHeight;
}

/** Shows the current follower's thread. */
export function showThread(): void {
  thread.replaceChildren(...(threads.get(me()) ?? []));
  thread.scrollTop = thread.scrollHeight;
}

/** The thread's answer to a push: the reply drawn as the client draws it, or the notice, or why nothing was sent. */
export function showAnswer(openid: string, answer: PushAnswer, quiet = false): void {
  if (!answer.pushed) show(openid, notice(`开发者提示：没有发给应用：${answer.reason}`, true));
  else if (!quiet) show(openid, ...outcomeRows(answer.exchange));
}

/** A refusal of the mock (not a follower…) as a note in the thread. */
export function showError(openid: string, error: unknown): void {
  show(openid, notice(error instanceof ControlError ? `开发者提示：${error.message}` : String(error), true));
}

/**
 * Pushes a message or event as the current follower and shows what the client shows of the answer (`quiet`:
 * nothing, as for a VIEW, whose reply the client drops while the page opens).
 */
export async function push(body: Record<string, unknown>, options: { quiet?: boolean } = {}): Promise<void> {
  const openid = me();
  try {
    showAnswer(openid, await control("message", { openid, ...body }), options.quiet);
  } catch (error) {
    showError(openid, error);
  }
}
