/**
 * The `Encrypt` element of a request body, replaced in place: replay sends a recorded compatible- or
 * safe-mode body byte for byte (declaration, comments, line ends, escapes and CDATA as recorded) with only
 * the ciphertext new.
 */

/** CDATA section, comment, declaration or doctype, tag (closing slash, name, self-closing slash), text. */
const TOKEN = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|<[?!][\s\S]*?>|<(\/?)([^\s/>]+)[^>]*?(\/?)>|[^<]+/g;
const CDATA = /<!\[CDATA\[([\s\S]*?)\]\]>/;

/** Where the text of the root's `Encrypt` child lies in `body` ([start, end)), or undefined when it has none. */
function encryptSpan(body: string): [number, number] | undefined {
  let depth = 0;
  let start: number | undefined;
  for (const match of body.matchAll(TOKEN)) {
    const [token, closing, name, selfClosing] = match;
    if (name === undefined) continue;
    if (closing === "/") {
      depth--;
      if (start !== undefined && depth === 1 && name === "Encrypt") return [start, match.index];
    } else if (selfClosing !== "/") {
      if (depth === 1 && name === "Encrypt" && start === undefined) start = match.index + token.length;
      depth++;
    }
  }
  return undefined;
}

/**
 * `body` with the text of its root's `Encrypt` child replaced by `encrypt`, as it was written (inside its
 * CDATA section, or as bare text, the white space around it kept); undefined when the body has no Encrypt.
 */
export function replaceEncrypt(body: string, encrypt: string): string | undefined {
  const span = encryptSpan(body);
  if (span === undefined) return undefined;
  const [start, end] = span;
  const content = body.slice(start, end);
  const cdata = CDATA.exec(content);
  let replaced: string;
  if (cdata !== null) {
    const at = cdata.index + "<![CDATA[".length;
    replaced = `${content.slice(0, at)}${encrypt}${content.slice(at + (cdata[1] ?? "").length)}`;
  } else {
    const lead = content.length - content.trimStart().length;
    const trail = lead + content.trim().length;
    replaced = `${content.slice(0, lead)}${encrypt}${content.slice(trail)}`;
  }
  return `${body.slice(0, start)}${replaced}${body.slice(end)}`;
}
