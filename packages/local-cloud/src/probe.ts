import http from 'node:http';
import https from 'node:https';

/** GETs a URL and resolves its status code, or 0 when nothing answers. Never rejects. */
export function probe(
  url: string,
  options: {
    ca?: string | Buffer;
    insecure?: boolean;
    timeoutMs?: number;
  } = {},
): Promise<number> {
  return new Promise(resolve => {
    const isHttps = url.startsWith('https:');
    const get = isHttps ? https.get : http.get;
    const req = get(
      url,
      {
        timeout: options.timeoutMs ?? 2000,
        ...(isHttps
          ? { ca: options.ca, rejectUnauthorized: !options.insecure }
          : {}),
      },
      res => {
        res.resume();
        res.on('end', () => resolve(res.statusCode ?? 0));
        res.on('error', () => resolve(0));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(0));
  });
}
