import type { MenuButton, Menu } from "../../core/platform/menu-rules.js";
import { byId, h, safeHref } from "../shared/dom.js";
import { ask, toast } from "../shared/sheet.js";
import { imageBubble, mediaUrl, notice, row } from "./bubbles.js";
import { me, push, show } from "./thread.js";
import { pickPictures, sendLocation, sendPictures } from "./actions.js";
import { menuLabel as menuText } from "./text.js";

const KEYBOARD = "切换到键盘";

const bar = byId("menu-bar");
const inputRow = byId("input-row");
const toMenu = byId<HTMLButtonElement>("to-menu");
let openSub: HTMLElement | undefined;
/** The menu drawn now, as JSON: the same menu again leaves the bar (and the keyboard toggle) as it is. */
let drawn = "";

/** Shows the menu bar (true) or the text input (false), as the client's keyboard toggle does. */
function showMenu(menu: boolean): void {
  bar.hidden = !menu;
  inputRow.hidden = menu;
  closeSub();
}

function closeSub(): void {
  openSub?.remove();
  openSub = undefined;
}

/** What a button does, as the client does it: the event WeChat pushes, and what the follower sees. */
async function press(button: MenuButton): Promise<void> {
  closeSub();
  const key = button.key ?? "";
  switch (button.type) {
    case "click":
      await push({ event: "CLICK", fields: { EventKey: key } });
      return;
    case "view": {
      const href = safeHref(button.url);
      // Opened in the click itself (a browser lets a page open a tab only then); the VIEW goes to the app meanwhile.
      if (href !== undefined) window.open(href, "_blank", "noopener");
      else {
        const why = `开发者提示：菜单网址不是 http(s)，客户端不会打开：${button.url ?? ""}`;
        show(me(), notice(why, true));
      }
      await push({ event: "VIEW", fields: { EventKey: button.url ?? "" } }, { quiet: true });
      return;
    }
    case "scancode_push":
    case "scancode_waitmsg": {
      const answer = await ask("扫一扫：扫到的内容", [{ name: "result", label: "扫描结果" }]);
      if (answer === undefined) return;
      const result = answer.values.result ?? "";
      const fields = { EventKey: key, ScanCodeInfo: { ScanType: "qrcode", ScanResult: result } };
      if (button.type === "scancode_push") {
        show(me(), notice(`扫描结果：${result}`));
        await push({ event: "scancode_push", fields });
      } else {
        const hide = toast("消息接收中", 5000);
        await push({ event: "scancode_waitmsg", fields });
        hide();
      }
      return;
    }
    case "pic_sysphoto":
    case "pic_photo_or_album":
    case "pic_weixin": {
      const pictures = await pickPictures(button.type === "pic_sysphoto" ? "拍照" : "选择图片");
      if (pictures === undefined) return;
      const items = pictures.map((picture) => ({ PicMd5Sum: picture.md5 }));
      await push({ event: button.type, fields: { EventKey: key, SendPicsInfo: { PicList: { item: items } } } });
      await sendPictures(pictures);
      return;
    }
    case "location_select":
      await sendLocation(key);
      return;
    case "media_id":
    case "view_limited":
      show(me(), row("account", imageBubble(mediaUrl(button.media_id ?? ""), `素材 ${button.media_id ?? ""}`)));
      show(me(), notice(`开发者提示：${button.type} 由微信直接发素材，不推送事件给应用`, true));
      return;
    case "article_id":
    case "article_view_limited": {
      const why = `开发者提示：打开已发布的图文 ${button.article_id ?? ""}，不推送事件给应用`;
      show(me(), notice(why, true));
      return;
    }
    case "miniprogram":
      show(me(), notice(`打开小程序 ${button.appid ?? ""} ${button.pagepath ?? ""}`));
      await push({ event: "view_miniprogram", fields: { EventKey: button.pagepath ?? "" } }, { quiet: true });
      return;
    default:
      show(me(), notice(`开发者提示：客户端不认识的菜单类型 ${button.type ?? "(无)"}`, true));
  }
}

/** A first-level button: presses, or pops its sub-menu up (a parent sends nothing). */
function topButton(button: MenuButton): HTMLElement {
  const subs = button.sub_button ?? [];
  const item = h("div", { class: "menu-item" });
  const label = h(
    "button",
    {
      type: "button",
      class: subs.length > 0 ? "has-sub" : undefined,
      "aria-label": button.name,
      "aria-haspopup": subs.length > 0 ? "menu" : undefined,
      onclick: () => {
        if (subs.length === 0) {
          void press(button);
          return;
        }
        const wasOpen = openSub?.parentElement === item;
        closeSub();
        if (wasOpen) return;
        openSub = h(
          "ul",
          { class: "sub-menu", role: "menu", "aria-label": button.name },
          ...subs.map((sub) =>
            h(
              "li",
              { role: "none" },
              h(
                "button",
                { type: "button", role: "menuitem", "aria-label": sub.name, onclick: () => void press(sub) },
                menuText(sub.name, true),
              ),
            ),
          ),
        );
        item.append(openSub);
      },
    },
    menuText(button.name, false),
  );
  item.append(label);
  return item;
}

/** Draws the account's menu (or none): the bar with the keyboard toggle, as the client shows it. */
export function drawMenu(menu: Menu | null | undefined): void {
  const buttons = menu?.button ?? [];
  if (JSON.stringify(buttons) === drawn) return;
  drawn = JSON.stringify(buttons);
  closeSub();
  if (buttons.length === 0) {
    bar.replaceChildren();
    toMenu.hidden = true;
    showMenu(false);
    return;
  }
  bar.replaceChildren(
    h("button", { type: "button", class: "icon", "aria-label": KEYBOARD, onclick: () => showMenu(false) }, "⌨"),
    ...buttons.slice(0, 3).map(topButton),
  );
  toMenu.hidden = false;
  showMenu(true);
}

toMenu.addEventListener("click", () => showMenu(true));
