/**
 * Characters a terminal acts on rather than shows: the C0 controls (ESC starts a sequence that can set the
 * window title or colours; a newline would forge a log line), DEL, the C1 controls (U+009B is a CSI on its own)
 * and the bidirectional marks, overrides and isolates that reorder what follows them on screen.
 */
// biome-ignore lint/suspicious/noControlCharactersInRegex: these characters are what it looks for
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_GLOBAL = new RegExp(UNSAFE.source, "g");
/** In JSON text C0 is already escaped by JSON.stringify; the rest is not. */
const UNSAFE_IN_JSON = /[\u007f-\u009f\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const hex = (character: string, width: number): string => character.charCodeAt(0).toString(16).padStart(width, "0");

/** Text from the network made safe to print: each unsafe character written as `\xNN` or `\uNNNN`. */
export function printable(text: string): string {
  if (!UNSAFE.test(text)) return text;
  return text.replace(UNSAFE_GLOBAL, (character) =>
    character.charCodeAt(0) < 0x100 ? `\\x${hex(character, 2)}` : `\\u${hex(character, 4)}`,
  );
}

/** A JSON line made safe to print: the characters JSON.stringify leaves raw written as `\uNNNN` (still valid JSON). */
export function printableJson(json: string): string {
  return json.replace(UNSAFE_IN_JSON, (character) => `\\u${hex(character, 4)}`);
}

/** At most `max` characters of a text from the network, saying how long it was when cut. */
export function clipped(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}… (${text.length} characters)`;
}
