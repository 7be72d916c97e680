/** A piece of a text message as the client draws it: plain text, or a link it makes clickable. */
export type TextPiece = { text: string } | { text: string; href: string };

/** `<a href="…">label</a>` (what customer-service and reply text may hold) or a bare http(s) URL. */
const LINK = /<a\s[^>]*?href\s*=\s*(["'])(.*?)\1[^>]*>(.*?)<\/a>|https?:\/\/[^\s<>"'，。！？、；：）】》]+/gi;

/** Undoes the five XML entities a link's href may carry (`&amp;` in a query). */
function unescapeEntities(value: string): string {
  return value.replace(/&(amp|lt|gt|quot|apos);/g, (_all, name: string) =>
    name === "amp" ? "&" : name === "lt" ? "<" : name === "gt" ? ">" : name === "quot" ? '"' : "'",
  );
}

/**
 * Splits text into plain pieces and links, as the client shows them: an `<a href>` becomes its label linked to
 * its http(s) address, a bare http(s) URL a link to itself; any other markup stays text.
 */
export function textPieces(content: string): TextPiece[] {
  const pieces: TextPiece[] = [];
  let last = 0;
  for (const match of content.matchAll(LINK)) {
    const at = match.index ?? 0;
    if (at > last) pieces.push({ text: content.slice(last, at) });
    const href = match[2] === undefined ? match[0] : unescapeEntities(match[2]);
    const label = match[3] === undefined ? match[0] : match[3];
    pieces.push(/^https?:\/\//i.test(href.trim()) ? { text: label, href: href.trim() } : { text: match[0] });
    last = at + match[0].length;
  }
  if (last < content.length) pieces.push({ text: content.slice(last) });
  return pieces;
}

/** Text cut to at most `maxBytes` bytes of UTF-8 without splitting a character; `cut` says whether it was. */
export function cutToBytes(content: string, maxBytes: number): { text: string; cut: boolean } {
  const encoder = new TextEncoder();
  if (encoder.encode(content).length <= maxBytes) return { text: content, cut: false };
  let bytes = 0;
  let end = 0;
  for (const char of content) {
    const size = encoder.encode(char).length;
    if (bytes + size > maxBytes) break;
    bytes += size;
    end += char.length;
  }
  return { text: content.slice(0, end), cut: true };
}

/** A template value as the client shows it since 2023-05: one line, at most 20 characters then "…". */
export function templateValue(value: string, max = 20): string {
  const line = value.split(/\r?\n/)[0] ?? "";
  const chars = [...line];
  return chars.length > max ? `${chars.slice(0, max).join("")}…` : line;
}

/** A menu button's name as the client draws it: 4 (first level) or 8 (sub-menu) characters, then "…". */
export function menuLabel(name: string, sub: boolean): string {
  const chars = [...name];
  const max = sub ? 8 : 4;
  // Latin letters count about half a character wide.
  let width = 0;
  let end = 0;
  for (const char of chars) {
    width += char.charCodeAt(0) < 0x100 ? 0.5 : 1;
    if (width > max) return `${chars.slice(0, end).join("")}…`;
    end++;
  }
  return name;
}
