import fs from 'node:fs';
import https from 'node:https';

/**
 * How to reach one apiserver: its URL, its CA, and a client certificate or a bearer token.
 *
 * @public
 */
export interface KubeEndpoint {
  url: string;
  ca: string | Buffer;
  cert?: string | Buffer;
  key?: string | Buffer;
  token?: string;
}

/** A status and a parsed JSON body. @public */
export interface KubeResponse<T = any> {
  status: number;
  body: T;
}

/**
 * A small JSON client for the few Kubernetes calls local-cloud makes while starting and seeding
 * (nodes, service accounts, tokens, namespaces, deployments). Plain HTTPS keeps the command fast
 * to load; the portal and tests use `@kubernetes/client-node`.
 *
 * @public
 */
export class KubeRest {
  private readonly agent: https.Agent;

  constructor(private readonly endpoint: KubeEndpoint) {
    this.agent = new https.Agent({
      ca: endpoint.ca,
      cert: endpoint.cert,
      key: endpoint.key,
      keepAlive: false,
    });
  }

  static withClientCertificate(
    url: string,
    files: { ca: string; cert: string; key: string },
  ): KubeRest {
    return new KubeRest({
      url,
      ca: fs.readFileSync(files.ca),
      cert: fs.readFileSync(files.cert),
      key: fs.readFileSync(files.key),
    });
  }

  request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    contentType = 'application/json',
  ): Promise<KubeResponse<T>> {
    const url = new URL(path, this.endpoint.url);
    const payload = body === undefined ? undefined : JSON.stringify(body);
    return new Promise((resolve, reject) => {
      const req = https.request(
        url,
        {
          method,
          agent: this.agent,
          timeout: 30_000,
          headers: {
            accept: 'application/json',
            ...(payload
              ? {
                  'content-type': contentType,
                  'content-length': Buffer.byteLength(payload),
                }
              : {}),
            ...(this.endpoint.token
              ? { authorization: `Bearer ${this.endpoint.token}` }
              : {}),
          },
        },
        res => {
          const chunks: Buffer[] = [];
          res.on('data', chunk => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let parsed: any = text;
            try {
              parsed = text ? JSON.parse(text) : undefined;
            } catch {
              // plain-text bodies such as /readyz's "ok"
            }
            resolve({ status: res.statusCode ?? 0, body: parsed });
          });
        },
      );
      req.on('timeout', () =>
        req.destroy(new Error(`${method} ${url} timed out`)),
      );
      req.on('error', reject);
      if (payload) req.write(payload);
      req.end();
    });
  }

  /** Like request, but throws unless the status is 2xx (or one of allowed). */
  async expect<T = any>(
    method: string,
    path: string,
    body?: unknown,
    allowed: number[] = [],
    contentType?: string,
  ): Promise<KubeResponse<T>> {
    const res = await this.request<T>(method, path, body, contentType);
    if (
      (res.status < 200 || res.status >= 300) &&
      !allowed.includes(res.status)
    ) {
      const message =
        (res.body as any)?.message ?? JSON.stringify(res.body)?.slice(0, 200);
      throw new Error(`${method} ${path} answered ${res.status}: ${message}`);
    }
    return res;
  }

  /** Server-side apply with local-cloud's field manager: creates or updates, idempotently. */
  apply<T = any>(path: string, object: unknown): Promise<KubeResponse<T>> {
    const sep = path.includes('?') ? '&' : '?';
    return this.expect<T>(
      'PATCH',
      `${path}${sep}fieldManager=local-cloud&force=true`,
      object,
      [],
      'application/apply-patch+yaml',
    );
  }

  close() {
    this.agent.destroy();
  }
}
