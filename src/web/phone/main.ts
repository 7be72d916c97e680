import type { ExchangeResult } from "../../core/client/exchange.js";
import type { PlatformEvent } from "../../core/platform/events.js";
import { byId, h } from "../shared/dom.js";
import { control, ControlError, type PushAnswer, read, watchEvents } from "../shared/control.js";
import { exchangeView } from "../shared/exchange-view.js";
import { notice, row, textBubble } from "./bubbles.js";
import { outcomeRows } from "./replies.js";

/** What GET /_wxdev/state answers (the parts the page uses). */
export interface AccountState {
  appId: string;
  accountId: string;
  pushUrl: string | null;
  followers: { openid: string }[];
  menu: unknown;
  templates: { template_id: string; title: string; content: string }[];
  qrcodes: { ticket: string; action: string; sceneId?: number; sceneStr?: string }[];
}

const thread = byId<HTMLOListElement>("thread");
const picker = byId<HTMLSelectElement>("follower");
const input = byId<HTMLInputElement>("text");
const exchanges = byId("exchanges");
/** Each follower's thread (the page shows one at a time). */
const threads = new Map<string, HTMLLIElement[]>();
let state: AccountState | undefined;

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
function showThread(): void {
  thread.replaceChildren(...(threads.get(me()) ?? []));
  thread.scrollTop = thread.scrollHeight;
}

/** The thread's answer to a push: the reply drawn as the client draws it, or the notice, or why nothing was sent. */
export function showAnswer(openid: string, answer: PushAnswer): void {
  if (!answer.pushed) show(openid, notice(`开发者提示：没有发给应用：${answer.reason}`, true));
  else show(openid, ...outcomeRows(answer.exchange));
}

/** Pushes something as the current follower; a refusal (not a follower…) becomes a note in the thread. */
export async function push(body: Record<string, unknown>): Promise<PushAnswer | undefined> {
  const openid = me();
  try {
    const answer = await control("message", { openid, ...body });
    showAnswer(openid, answer);
    return answer;
  } catch (error) {
    show(openid, notice(error instanceof ControlError ? error.message : String(error), true));
    return undefined;
  }
}

async function sendText(): Promise<void> {
  const content = input.value;
  if (content.trim() === "") return;
  input.value = "";
  show(me(), row("me", textBubble(content)));
  await push({ message: "text", fields: { Content: content } });
}

/** Refills the follower picker from the account's state, keeping the current choice when it still follows. */
export async function refresh(select?: string): Promise<AccountState> {
  state = await read<AccountState>("state");
  const keep = select ?? picker.value;
  picker.replaceChildren(...state.followers.map(({ openid }) => h("option", { value: openid }, openid)));
  if (state.followers.some(({ openid }) => openid === keep)) picker.value = keep;
  byId("account").textContent = `公众号 ${state.accountId}`;
  byId("panel-note").textContent =
    state.pushUrl === null ? "没有应用地址：用 --url 启动 wxdev mock，消息才会推送给应用" : `推送到 ${state.pushUrl}`;
  showThread();
  return state;
}

/** The account's state as last read. */
export const account = (): AccountState | undefined => state;

/** One push in the developer panel, newest on top. */
function logExchange(event: Extract<PlatformEvent, { type: "push" }>): void {
  const again = event.attempt !== undefined && event.attempt > 1 ? ` · 第 ${event.attempt} 次` : "";
  const title = `${event.what} · ${event.openid.slice(0, 10)}…${again}`;
  const view =
    event.result === undefined
      ? h("section", { class: "wx-exchange" }, h("header", null, title), h("p", null, event.skipped ?? ""))
      : exchangeView(event.result as ExchangeResult, title);
  exchanges.prepend(view);
  while (exchanges.children.length > 100) exchanges.lastElementChild?.remove();
}

/** What the account's events change on the page. */
function onEvent(event: PlatformEvent): void {
  if (event.type === "push") logExchange(event);
  else if (event.type === "follower") void refresh();
}

function start(): void {
  byId<HTMLFormElement>("input-row").addEventListener("submit", (event) => {
    event.preventDefault();
    void sendText();
  });
  picker.addEventListener("change", showThread);
  watchEvents(onEvent, (connected) => {
    byId("live").textContent = connected ? "" : "重新连接中…";
  });
  void refresh();
}

start();
