import { h, safeHref } from "../shared/dom.js";
import { ask } from "../shared/sheet.js";
import { imageBubble, outLink, row, textBubble } from "./bubbles.js";
import { me, push, show, showError } from "./thread.js";

/** A picture the follower picked, kept in the mock's media. */
export interface Picture {
  mediaId: string;
  url: string;
  md5: string;
}

/** Stores a picture in the mock's media (/_wxdev/upload, its bytes as the body). */
async function upload(file: File): Promise<Picture> {
  const response = await fetch("/_wxdev/upload", {
    method: "POST",
    headers: { "Content-Type": "application/octet-stream" },
    body: file,
  });
  const answer = (await response.json()) as { media_id?: string; url?: string; md5?: string; error?: string };
  if (!response.ok || answer.media_id === undefined)
    throw new Error(answer.error ?? `the picture was not stored (HTTP ${response.status})`);
  return { mediaId: answer.media_id, url: answer.url ?? "", md5: answer.md5 ?? "" };
}

/** Asks for picture files and stores them; undefined when cancelled or none was picked. */
export async function pickPictures(title: string): Promise<Picture[] | undefined> {
  const answer = await ask(title, [
    { name: "pictures", label: "图片", type: "file", accept: "image/*", multiple: true },
  ]);
  const files = answer?.files.pictures ?? [];
  if (files.length === 0) return undefined;
  try {
    return await Promise.all(files.slice(0, 9).map(upload));
  } catch (error) {
    showError(me(), error);
    return undefined;
  }
}

/** Sends pictures as image messages, one by one, as the client does. */
export async function sendPictures(pictures: Picture[]): Promise<void> {
  for (const picture of pictures) {
    show(me(), row("me", imageBubble(`/_wxdev/media?id=${encodeURIComponent(picture.mediaId)}`)));
    await push({ message: "image", fields: { PicUrl: picture.url, MediaId: picture.mediaId } });
  }
}

/** Asks for a place and sends it: a location message (after a location_select event when `menuKey` is given). */
export async function sendLocation(menuKey?: string): Promise<void> {
  const answer = await ask("发送位置", [
    { name: "label", label: "地点", value: "北京市东城区天安门广场" },
    { name: "lat", label: "纬度", value: "39.915119" },
    { name: "lng", label: "经度", value: "116.403963" },
  ]);
  if (answer === undefined) return;
  const { label = "", lat = "", lng = "" } = answer.values;
  if (menuKey !== undefined) {
    const info = { Location_X: lat, Location_Y: lng, Scale: "15", Label: label, Poiname: label };
    await push({ event: "location_select", fields: { EventKey: menuKey, SendLocationInfo: info } });
  }
  show(
    me(),
    row(
      "me",
      h("div", { class: "bubble card location" }, `📍 ${label}`, h("div", { class: "card-desc" }, `${lat}, ${lng}`)),
    ),
  );
  await push({ message: "location", fields: { Location_X: lat, Location_Y: lng, Scale: "16", Label: label } });
}

/** Asks for a link (title, description, address) and sends it as a link message. */
export async function sendLink(): Promise<void> {
  const answer = await ask("发送链接", [
    { name: "title", label: "标题", value: "wxdev" },
    { name: "description", label: "描述", value: "a link sent from the phone" },
    { name: "url", label: "网址", value: "https://example.com/" },
  ]);
  if (answer === undefined) return;
  const { title = "", description = "", url = "" } = answer.values;
  const href = safeHref(url);
  const heading = h("div", { class: "card-title" }, title);
  const card = h("div", { class: "bubble card link" }, href ? outLink(href, heading) : heading);
  card.append(h("div", { class: "card-desc" }, description));
  show(me(), row("me", card));
  await push({ message: "link", fields: { Title: title, Description: description, Url: url } });
}

/** Sends typed text as a text message. */
export async function sendText(content: string): Promise<void> {
  show(me(), row("me", textBubble(content)));
  await push({ message: "text", fields: { Content: content } });
}

/** Asks for a picture file and sends it as an image message. */
export async function sendImage(): Promise<void> {
  const pictures = await pickPictures("发送图片");
  if (pictures !== undefined) await sendPictures(pictures);
}
