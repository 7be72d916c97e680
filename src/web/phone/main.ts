import type { ExchangeResult } from "../../core/client/exchange.js";
import type { PlatformEvent } from "../../core/platform/events.js";
import type { Menu } from "../../core/platform/menu-rules.js";
import { control, read, watchEvents } from "../shared/control.js";
import { byId, h } from "../shared/dom.js";
import { exchangeView } from "../shared/exchange-view.js";
import { ask, choose } from "../shared/sheet.js";
import { sendImage, sendLink, sendLocation, sendText } from "./actions.js";
import { customRows, type TemplateInfo, templateCard } from "./live.js";
import { drawMenu } from "./menu.js";
import { me, show, showAnswer, showError, showThread } from "./thread.js";

/** The panel's note when the mock was started without an app to push to. */
const NO_APP_URL = "没有应用地址：用 --url 启动 wxdev mock，消息才会推送给应用";
/** The title bar while the account shows it is typing (custom/typing). */
const TYPING = "对方正在输入…";

/** What GET /_wxdev/state answers (the parts the page uses). */
interface AccountState {
  accountId: string;
  pushUrl: string | null;
  followers: { openid: string }[];
  menu: Menu | null;
  templates: TemplateInfo[];
  qrcodes: { ticket: string; action: string; sceneId?: number; sceneStr?: string }[];
}

const picker = byId<HTMLSelectElement>("follower");
const input = byId<HTMLInputElement>("text");
const followButton = byId<HTMLButtonElement>("toggle-follow");
const exchanges = byId("exchanges");
/** Everyone this page has been (a follower who unfollowed stays in the list, marked). */
const known = new Set<string>();
let state: AccountState | undefined;

/** Refills the follower picker from the account's state; `select` picks a follower. */
async function refresh(select?: string): Promise<void> {
  state = await read<AccountState>("state");
  const following = new Set(state.followers.map(({ openid }) => openid));
  for (const openid of following) known.add(openid);
  const keep = select ?? (picker.value || state.followers[0]?.openid || "");
  picker.replaceChildren(
    ...[...known].map((openid) =>
      h("option", { value: openid }, following.has(openid) ? openid : `${openid}（已取消关注）`),
    ),
  );
  picker.value = keep;
  followButton.textContent = following.has(keep) ? "取消关注" : "关注";
  byId("account").textContent = `公众号 ${state.accountId}`;
  byId("panel-note").textContent = state.pushUrl === null ? NO_APP_URL : `推送到 ${state.pushUrl}`;
  drawMenu(state.menu);
  showThread();
}

/** Follows (a new follower when `openid` is undefined) or unfollows, and shows the app's answer. */
async function follow(action: "follow" | "unfollow", openid?: string): Promise<void> {
  try {
    const answer = await control(action, openid === undefined ? {} : { openid });
    known.add(answer.openid);
    await refresh(answer.openid);
    showAnswer(answer.openid, answer, action === "unfollow");
  } catch (error) {
    showError(me(), error);
  }
}

/** "Scans" one of the account's QR codes: as the current follower (SCAN) or as a new user (subscribe). */
async function scan(): Promise<void> {
  // The account's codes as they are now: one the app made a moment ago may not have reached this page's events yet.
  await refresh().catch(() => undefined);
  const codes = state?.qrcodes ?? [];
  if (codes.length === 0) {
    await ask("没有二维码：应用先调用 qrcode/create", []);
    return;
  }
  const answer = await ask("扫一扫", [
    {
      name: "ticket",
      label: "二维码",
      options: codes.map((code) => [code.ticket, `${code.action} ${code.sceneStr ?? code.sceneId ?? ""}`]),
      value: codes[codes.length - 1]?.ticket,
    },
    {
      name: "who",
      label: "扫码的人",
      options: [
        ["me", "我（当前用户）"],
        ["new", "新用户"],
      ],
    },
  ]);
  if (answer === undefined) return;
  const body =
    answer.values.who === "new" ? { ticket: answer.values.ticket } : { ticket: answer.values.ticket, openid: me() };
  try {
    const pushed = await control("scan", body);
    known.add(pushed.openid);
    await refresh(pushed.openid);
    showAnswer(pushed.openid, pushed);
  } catch (error) {
    showError(me(), error);
  }
}

/** The ＋ sheet: a picture, a place or a link. */
async function more(): Promise<void> {
  const what = await choose("发送", [
    ["image", "图片"],
    ["location", "位置"],
    ["link", "链接"],
  ]);
  if (what === "image") await sendImage();
  else if (what === "location") await sendLocation();
  else if (what === "link") await sendLink();
}

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
  switch (event.type) {
    case "push":
      logExchange(event);
      return;
    case "message":
      show(event.openid, ...customRows(event));
      return;
    case "template":
      show(
        event.openid,
        templateCard(
          event,
          state?.templates.find((t) => t.template_id === event.template),
        ),
      );
      return;
    case "menu":
      drawMenu(event.menu as Menu | null);
      return;
    case "typing":
      if (event.openid === me())
        byId("account").textContent = event.command === "Typing" ? TYPING : `公众号 ${state?.accountId ?? ""}`;
      return;
    case "follower":
      void refresh();
      return;
    case "api":
      if (/qrcode\/create|template\/api_add_template|del_private_template/.test(event.path)) void refresh();
      return;
    default:
  }
}

function start(): void {
  byId<HTMLFormElement>("input-row").addEventListener("submit", (event) => {
    event.preventDefault();
    const content = input.value;
    if (content.trim() === "") return;
    input.value = "";
    void sendText(content);
  });
  picker.addEventListener("change", () => void refresh(picker.value));
  followButton.addEventListener(
    "click",
    () => void follow(followButton.textContent === "关注" ? "follow" : "unfollow", me()),
  );
  byId("new-follower").addEventListener("click", () => void follow("follow"));
  byId("scan").addEventListener("click", () => void scan());
  byId("more").addEventListener("click", () => void more());
  watchEvents(onEvent, (connected) => {
    byId("live").textContent = connected ? "" : "重新连接中…";
  });
  void refresh();
}

start();
