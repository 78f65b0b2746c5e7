/**
 * A URL as an error message may show it: without the user name and password it may carry, and
 * without its query (where tokens often travel). Text that is no URL comes back as `<no URL>`,
 * since it could be anything.
 * @public
 */
export function redactUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '<no URL>';
  }
  const userinfo = parsed.username || parsed.password ? '***@' : '';
  const query = parsed.search ? '?***' : '';
  return `${parsed.protocol}//${userinfo}${parsed.host}${parsed.pathname}${query}`;
}
