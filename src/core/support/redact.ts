/** Query parameters whose values are credentials (the OAuth API's secret and tokens, passwords). */
const SECRET_PARAMS = /([?&;](?:secret|appsecret|access_token|refresh_token|password|passwd|token)=)[^&#\s"'<>]*/gi;
/**
 * `scheme://user:password@` in any URL. The scheme's length is bounded: unbounded, a long run of `a.a.a…` made each
 * position scan to its end (quadratic).
 */
const USERINFO = /(\b[a-z][a-z0-9+.-]{0,31}:\/\/)[^\s/?#"'<>]*@/gi;
/** Known secrets shorter than this are left alone: a 3-letter token would blank out ordinary words. */
const MIN_KNOWN_LENGTH = 8;

/**
 * Hides credentials in text that may quote a URL (an error message, a stack trace):
 * URL user-info, secret-bearing query values and, verbatim anywhere, the `known` secrets.
 */
export function redactSecrets(text: string, known: readonly (string | undefined)[] = []): string {
  let redacted = text.replace(USERINFO, "$1***@").replace(SECRET_PARAMS, "$1***");
  for (const secret of known) {
    if (secret !== undefined && secret.length >= MIN_KNOWN_LENGTH) redacted = redacted.split(secret).join("***");
  }
  return redacted;
}

/** Shows enough of a secret to recognise it, never all of it. */
export function mask(secret: string | undefined): string {
  if (secret === undefined || secret === "") return "(not set)";
  if (secret.length < 8) return `${"*".repeat(secret.length)}`;
  const stars = "*".repeat(Math.min(secret.length - 4, 8));
  return `${secret.slice(0, 2)}${stars}${secret.slice(-2)} (${secret.length} chars)`;
}
