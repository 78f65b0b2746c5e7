import { asString, readPath } from '../lib/fieldPath';
import { mapRawRecord } from '../lib/recordMapping';
import { CMDB_RECORD_KINDS, CmdbAdapter, CmdbItem } from '../lib/types';
import type {
  CmdbGenericSource,
  CmdbPagination,
} from '../providers/CmdbEntityProviderConfig';
import { CmdbHttpClient } from './CmdbHttpClient';

/** What the generic adapter needs from the provider's config. */
export interface GenericHttpAdapterOptions {
  baseUrl: string;
  pageSize: number;
  pagination: CmdbPagination;
  /** Where the records array is in a response; '' when the response is the array. */
  itemsPath: string;
  /** Query parameter carrying "updated since" (ISO 8601) in delta syncs. */
  updatedSinceParam?: string;
  records: Partial<Record<string, CmdbGenericSource>>;
}

/**
 * Reads any JSON-over-HTTP CMDB: one list endpoint per record kind, paged by page number, offset
 * or cursor; where each field lives in a record comes from config.
 */
export class GenericHttpAdapter implements CmdbAdapter {
  constructor(
    private readonly client: CmdbHttpClient,
    private readonly options: GenericHttpAdapterOptions,
  ) {}

  async *read({
    since,
    signal,
  }: {
    since?: Date;
    signal?: AbortSignal;
  }): AsyncIterable<CmdbItem> {
    for (const kind of CMDB_RECORD_KINDS) {
      const source = this.options.records[kind];
      if (!source) continue;
      for await (const raw of this.pages(source.path, since, signal)) {
        yield mapRawRecord(kind, raw, source);
      }
    }
  }

  /** The raw items of one list, fetching a page only after the previous one was consumed. */
  private async *pages(
    path: string,
    since: Date | undefined,
    signal: AbortSignal | undefined,
  ): AsyncIterable<unknown> {
    const { pagination, pageSize, updatedSinceParam } = this.options;
    let page = pagination.type === 'page' ? pagination.firstPage : 0;
    let offset = 0;
    let cursor: string | undefined;
    for (;;) {
      const url = new URL(`${this.options.baseUrl}${path}`);
      if (since && updatedSinceParam) {
        url.searchParams.set(updatedSinceParam, since.toISOString());
      }
      switch (pagination.type) {
        case 'page':
          url.searchParams.set(pagination.pageParam, String(page));
          url.searchParams.set(pagination.sizeParam, String(pageSize));
          break;
        case 'offset':
          url.searchParams.set(pagination.offsetParam, String(offset));
          url.searchParams.set(pagination.limitParam, String(pageSize));
          break;
        default:
          url.searchParams.set(pagination.sizeParam, String(pageSize));
          if (cursor) url.searchParams.set(pagination.cursorParam, cursor);
      }

      const body = await this.client.getJson(url, signal);
      const items = readPath(body, this.options.itemsPath);
      if (!Array.isArray(items)) {
        throw new Error(
          `CMDB response from ${path} has no array at "${this.options.itemsPath}"`,
        );
      }
      const nextCursor =
        pagination.type === 'cursor'
          ? asString(readPath(body, pagination.nextCursorPath))
          : undefined;
      const count = items.length;
      yield* items;

      if (pagination.type === 'cursor') {
        if (!nextCursor || nextCursor === cursor) return;
        cursor = nextCursor;
      } else {
        if (count < pageSize) return;
        page += 1;
        offset += count;
      }
    }
  }
}
