import { asString, readPath } from '../lib/fieldPath';
import { mapRawRecord } from '../lib/recordMapping';
import { CMDB_RECORD_KINDS, CmdbAdapter, CmdbItem } from '../lib/types';
import { CmdbHttpClient } from './CmdbHttpClient';
import { ServiceNowLinkTable, ServiceNowTable } from './serviceNowDefaults';

/** What the ServiceNow adapter needs from the provider's config. */
export interface ServiceNowAdapterOptions {
  baseUrl: string;
  pageSize: number;
  tables: Partial<Record<string, ServiceNowTable>>;
  memberships?: ServiceNowLinkTable;
  dependencies?: ServiceNowLinkTable;
}

/** `sys_updated_on` compares against `YYYY-MM-DD HH:mm:ss` in the integration user's time zone (use UTC). */
function serviceNowTime(date: Date): string {
  return date.toISOString().slice(0, 19).replace('T', ' ');
}

/**
 * Reads a ServiceNow CMDB through the Table API (`/api/now/table/<table>`), paging with
 * `sysparm_limit`/`sysparm_offset` in `sys_id` order, and asking for changed rows only with
 * `sys_updated_on>=` in delta syncs.
 */
export class ServiceNowAdapter implements CmdbAdapter {
  constructor(
    private readonly client: CmdbHttpClient,
    private readonly options: ServiceNowAdapterOptions,
  ) {}

  async *read({
    since,
    signal,
  }: {
    since?: Date;
    signal?: AbortSignal;
  }): AsyncIterable<CmdbItem> {
    for (const kind of CMDB_RECORD_KINDS) {
      const table = this.options.tables[kind];
      if (!table) continue;
      const fields = [
        ...Object.values(table.fields),
        ...(table.deletedWhen ? [table.deletedWhen.field] : []),
      ];
      for await (const row of this.rows(
        table.table,
        table.query,
        fields,
        since,
        signal,
      )) {
        yield mapRawRecord(kind, row, table);
      }
    }
    if (since) return;
    const links = [
      ['membership', this.options.memberships],
      ['dependency', this.options.dependencies],
    ] as const;
    for (const [kind, link] of links) {
      if (!link) continue;
      for await (const row of this.rows(
        link.table,
        link.query,
        [link.from, link.to],
        undefined,
        signal,
      )) {
        const from = asString(readPath(row, link.from));
        const to = asString(readPath(row, link.to));
        if (from && to) yield { kind, from, to };
      }
    }
  }

  private async *rows(
    table: string,
    query: string | undefined,
    fields: string[],
    since: Date | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<unknown> {
    const conditions = [
      query,
      since ? `sys_updated_on>=${serviceNowTime(since)}` : undefined,
    ].filter(Boolean);
    const encodedQuery = [...conditions, 'ORDERBYsys_id'].join('^');
    const { pageSize } = this.options;
    for (let offset = 0; ; offset += pageSize) {
      const url = new URL(`${this.options.baseUrl}/api/now/table/${table}`);
      url.searchParams.set('sysparm_query', encodedQuery);
      url.searchParams.set('sysparm_fields', [...new Set(fields)].join(','));
      url.searchParams.set('sysparm_limit', String(pageSize));
      url.searchParams.set('sysparm_offset', String(offset));
      url.searchParams.set('sysparm_exclude_reference_link', 'true');
      url.searchParams.set('sysparm_display_value', 'false');
      const body = await this.client.getJson(url, signal);
      const result = readPath(body, 'result');
      if (!Array.isArray(result)) {
        throw new Error(`ServiceNow answer for ${table} has no result array`);
      }
      yield* result;
      if (result.length < pageSize) return;
    }
  }
}
