/** Any character XML 1.0 forbids (§2.2): C0 controls but tab/LF/CR, lone surrogates, U+FFFE, U+FFFF. */
const FORBIDDEN = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu;

/** `text` with every character XML forbids replaced by U+FFFD, so a reply is always well-formed XML. */
export function replaceForbiddenXmlChars(text: string): string {
  FORBIDDEN.lastIndex = 0;
  return FORBIDDEN.test(text) ? text.replace(FORBIDDEN, "\uFFFD") : text;
}
