import http from 'node:http';
import { AddressInfo } from 'node:net';

type Row = Record<string, unknown>;

/** Rows computed on demand, so a benchmark can serve 100k records without holding them. */
export interface VirtualRows {
  size: number;
  at(index: number): Row;
}

type Rows = Row[] | VirtualRows;

/** Which wire format a collection speaks. */
export type CmdbDialect =
  | { type: 'servicenow'; username: string; password: string }
  | {
      type: 'generic';
      token: string;
      paging: 'page' | 'offset' | 'cursor';
      /** Field compared with `updatedSince`. */
      updatedField: string;
    };

interface Fault {
  status?: number;
  delayMs?: number;
}

/**
 * A CMDB on 127.0.0.1 for tests and the benchmark. It speaks ServiceNow's Table API
 * (`/api/now/table/<table>`, basic auth, `sysparm_limit`/`sysparm_offset`, `sysparm_query` with
 * `sys_updated_on>=`, `sysparm_fields`, answers in `{result: [...]}`) or a generic JSON API
 * (`/<collection>`, bearer token, page+size, offset+limit or cursor paging, `{items, next}`).
 * Faults (HTTP errors, slow answers) can be queued for the next requests.
 */
export class CmdbTestServer {
  private readonly server: http.Server;
  private readonly collections = new Map<string, Rows>();
  private readonly faults: Fault[] = [];
  /** Every request path with its query, in order. */
  readonly requests: string[] = [];

  private constructor(private readonly dialect: CmdbDialect) {
    this.server = http.createServer((req, res) => {
      this.handle(req, res).catch(error => {
        res.statusCode = 500;
        res.end(String(error));
      });
    });
  }

  static async start(dialect: CmdbDialect): Promise<CmdbTestServer> {
    const server = new CmdbTestServer(dialect);
    await new Promise<void>(resolve =>
      server.server.listen(0, '127.0.0.1', resolve),
    );
    return server;
  }

  get baseUrl(): string {
    const { port } = this.server.address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  /** Replaces the rows of a table (ServiceNow) or collection path without its slash (generic). */
  setRows(collection: string, rows: Rows): void {
    this.collections.set(collection, rows);
  }

  rows(collection: string): Row[] {
    const rows = this.collections.get(collection);
    if (!rows || !Array.isArray(rows)) {
      throw new Error(`no plain rows for ${collection}`);
    }
    return rows;
  }

  /** The next `count` requests answer `status` (and/or only after `delayMs`). */
  injectFaults(count: number, fault: Fault): void {
    for (let i = 0; i < count; i++) this.faults.push(fault);
  }

  clearFaults(): void {
    this.faults.length = 0;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise(resolve => this.server.close(resolve));
  }

  private async handle(req: http.IncomingMessage, res: http.ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    this.requests.push(`${url.pathname}${url.search}`);
    const fault = this.faults.shift();
    if (fault?.delayMs) {
      await new Promise(resolve => setTimeout(resolve, fault.delayMs));
      if (res.destroyed || req.destroyed) return;
    }
    if (fault?.status) {
      this.send(res, fault.status, this.errorBody(`injected ${fault.status}`));
      return;
    }
    if (!this.authorized(req.headers.authorization)) {
      res.setHeader(
        'WWW-Authenticate',
        this.dialect.type === 'servicenow'
          ? 'Basic realm="Service-now"'
          : 'Bearer',
      );
      this.send(res, 401, this.errorBody('User Not Authenticated'));
      return;
    }
    if (this.dialect.type === 'servicenow') {
      this.serviceNowTable(url, res);
    } else {
      this.genericList(url, res, this.dialect);
    }
  }

  private authorized(header: string | undefined): boolean {
    if (this.dialect.type === 'servicenow') {
      const expected = Buffer.from(
        `${this.dialect.username}:${this.dialect.password}`,
      ).toString('base64');
      return header === `Basic ${expected}`;
    }
    return header === `Bearer ${this.dialect.token}`;
  }

  private errorBody(message: string) {
    return this.dialect.type === 'servicenow'
      ? { error: { message, detail: message }, status: 'failure' }
      : { error: message };
  }

  private send(res: http.ServerResponse, status: number, body: unknown) {
    res.statusCode = status;
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify(body));
  }

  private select(collection: string, keep: (row: Row) => boolean) {
    const rows = this.collections.get(collection);
    const all: Row[] = [];
    if (!rows) return undefined;
    const size = Array.isArray(rows) ? rows.length : rows.size;
    for (let i = 0; i < size; i++) {
      const row = Array.isArray(rows) ? rows[i] : rows.at(i);
      if (keep(row)) all.push(row);
    }
    return all;
  }

  private serviceNowTable(url: URL, res: http.ServerResponse) {
    const match = url.pathname.match(/^\/api\/now\/table\/([a-z0-9_]+)$/);
    const query = url.searchParams.get('sysparm_query') ?? '';
    const since = query.match(/sys_updated_on>=([0-9: -]+)/)?.[1];
    const rows = match
      ? this.select(
          match[1],
          row => !since || String(row.sys_updated_on) >= since,
        )
      : undefined;
    if (!rows) {
      this.send(res, 400, this.errorBody('Invalid table'));
      return;
    }
    const limit = Number(url.searchParams.get('sysparm_limit') ?? 10000);
    const offset = Number(url.searchParams.get('sysparm_offset') ?? 0);
    const fields = url.searchParams.get('sysparm_fields')?.split(',');
    const page = rows
      .slice(offset, offset + limit)
      .map(row =>
        fields
          ? Object.fromEntries(
              fields.filter(f => f in row).map(f => [f, row[f]]),
            )
          : row,
      );
    res.setHeader('X-Total-Count', String(rows.length));
    this.send(res, 200, { result: page });
  }

  private genericList(
    url: URL,
    res: http.ServerResponse,
    dialect: Extract<CmdbDialect, { type: 'generic' }>,
  ) {
    const since = url.searchParams.get('updatedSince');
    const rows = this.select(
      url.pathname.replace(/^\//, ''),
      row => !since || String(row[dialect.updatedField]) >= since,
    );
    if (!rows) {
      this.send(res, 404, this.errorBody('no such collection'));
      return;
    }
    const params = url.searchParams;
    switch (dialect.paging) {
      case 'page': {
        const size = Number(params.get('size') ?? 50);
        const page = Number(params.get('page') ?? 1);
        this.send(res, 200, {
          items: rows.slice((page - 1) * size, page * size),
          total: rows.length,
        });
        return;
      }
      case 'offset': {
        const limit = Number(params.get('limit') ?? 50);
        const offset = Number(params.get('offset') ?? 0);
        this.send(res, 200, { items: rows.slice(offset, offset + limit) });
        return;
      }
      default: {
        const limit = Number(params.get('limit') ?? 50);
        const start = Number(params.get('cursor') ?? 0);
        const end = start + limit;
        this.send(res, 200, {
          items: rows.slice(start, end),
          next: end < rows.length ? String(end) : null,
        });
      }
    }
  }
}
