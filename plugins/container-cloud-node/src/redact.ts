/**
 * A URL as an error message may show it: without the user name and password it may carry, and
 * without its query (where tokens often travel). Text that is no URL comes back as `<no URL>`,
 * since it could be anything.
 * @public
 */
export function redactUrl(url: string): string {
  try {
    // eslint-disable-next-line no-new
    new URL(url);
  } catch {
    return '<no URL>';
  }
  // the URL as written (no normalising), less what lies between `//` and the last `@` of the
  // authority, and less its query and fragment
  return url
    .replace(/^([a-z][a-z0-9+.-]*:\/\/)[^/?#]*@/i, '$1***@')
    .replace(/[?#].*$/s, rest => (rest.startsWith('?') ? '?***' : ''));
}

/**
 * Text (an error message) with every URL in it as `redactUrl` shows it: a client library's
 * "request to https://user:token\@host/path?token=... failed" keeps the host and path only.
 * @public
 */
export function redactUrlsIn(text: string): string {
  return text.replace(/\b[a-z][a-z0-9+.-]*:\/\/[^\s'"<>]+/gi, url =>
    redactUrl(url),
  );
}
