/**
 * The query of a request aimed at exactly `path`, read without building a URL: `new URL` and its
 * searchParams are a share of what a message costs the server (npm run bench serve). It applies when the target is
 * `path` itself or `path?…` without a fragment, and `path` is one the URL parser leaves as it is
 * (see `isPlainPath`): then the URL's pathname is `path`, and its searchParams hold what the raw query
 * does, since what the parser percent-encodes in a query the params decode back. Undefined for any
 * other target (`/a/../wechat`, absolute-form, a fragment, `??`, anything but printable ASCII), which the
 * caller gives to `new URL`.
 */
export function callbackQuery(target: string, path: string): URLSearchParams | undefined {
  if (!target.startsWith(path)) return undefined;
  if (target.length === path.length) return new URLSearchParams();
  if (target.charCodeAt(path.length) !== QUESTION_MARK || target.includes("#", path.length)) return undefined;
  const query = target.slice(path.length + 1);
  // URLSearchParams drops a leading `?` of its argument; a URL's query keeps it (`/wechat??a=1` has `?a`).
  // Outside printable ASCII the two part ways: the URL parser strips spaces and controls at the ends and
  // encodes `é` as UTF-8 before decoding, where Node's URLSearchParams takes a raw `é` beside a `%` as one byte.
  return query.charCodeAt(0) === QUESTION_MARK || NOT_PRINTABLE_ASCII.test(query)
    ? undefined
    : new URLSearchParams(query);
}

const QUESTION_MARK = 0x3f;
const NOT_PRINTABLE_ASCII = /[^!-~]/;

/** True when the URL parser keeps `path` as it is: no dot segments, escapes or characters it would encode. */
export function isPlainPath(path: string): boolean {
  return new URL(path, "http://localhost").pathname === path;
}

/** `callbackQuery` for one server's path; for a path the URL parser would change, a reader that always declines. */
export function callbackQueryReader(path: string): (target: string) => URLSearchParams | undefined {
  return isPlainPath(path) ? (target) => callbackQuery(target, path) : () => undefined;
}
