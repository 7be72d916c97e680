/** Where a JSON text first goes wrong, as an editor shows it (1-based), and what is wrong there. */
export interface JsonSyntaxProblem {
  line: number;
  column: number;
  /** V8's reason without its position and without the quoted text (which may hold a secret). */
  reason: string;
  /** The last object key before the mistake (`"appSecret"`), when there is one: where to look. */
  after?: string;
}

/** True when a prefix of the text already holds the mistake, rather than being valid or merely cut short. */
function brokenPrefix(text: string, length: number): boolean {
  try {
    JSON.parse(text.slice(0, length));
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/Unexpected end of JSON input/.test(message)) return false;
    return Number(/at position (\d+)/.exec(message)?.[1]) !== length;
  }
}

/**
 * The offset of the first character no JSON could continue with. Every prefix before it is valid or
 * cut short, every prefix from it on is broken: a binary search over prefixes finds it whatever V8's
 * message says (some of its messages carry no position at all).
 */
function mistakeOffset(text: string): number {
  if (!brokenPrefix(text, text.length)) return text.length;
  let fine = 0;
  let broken = text.length;
  while (broken - fine > 1) {
    const middle = Math.floor((fine + broken) / 2);
    if (brokenPrefix(text, middle)) broken = middle;
    else fine = middle;
  }
  return broken - 1;
}

/** Locates the syntax error of a text JSON.parse refused with `error`. */
export function locateJsonError(text: string, error: Error): JsonSyntaxProblem {
  const offset = mistakeOffset(text);
  const before = text.slice(0, offset);
  const lines = before.split("\n");
  const keys = [...before.matchAll(/"([\w$.-]{1,40})"\s*:/g)];
  const reason =
    offset >= text.length
      ? "the text ends too early (a missing } or ]?)"
      : error.message
          .replace(/, (\.\.\.)?"[\s\S]*"(\.\.\.)? is not valid JSON$/, "")
          .replace(/ in JSON at position \d+.*$/, "");
  return {
    line: lines.length,
    column: (lines.at(-1)?.length ?? 0) + 1,
    reason: reason.charAt(0).toLowerCase() + reason.slice(1),
    after: keys.at(-1)?.[1],
  };
}
