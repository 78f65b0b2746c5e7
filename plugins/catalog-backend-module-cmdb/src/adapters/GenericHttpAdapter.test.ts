import { mockServices } from '@backstage/backend-test-utils';
import { CmdbTestServer } from '../__testUtils__/CmdbTestServer';
import { CmdbItem, CmdbRecord } from '../lib/types';
import { CmdbPagination } from '../providers/CmdbEntityProviderConfig';
import { CmdbHttpClient } from './CmdbHttpClient';
import { GenericHttpAdapter } from './GenericHttpAdapter';

const services = Array.from({ length: 7 }, (_, n) => ({
  key: { value: `svc-${n}` },
  attributes: { title: `Service ${n}`, ownerTeam: { id: 'team-1' } },
  deps: n > 0 ? [{ id: `svc-${n - 1}` }] : [],
  modified: `2026-01-0${n + 1}T00:00:00.000Z`,
}));

const paginations: Array<[CmdbPagination['type'], CmdbPagination]> = [
  [
    'page',
    { type: 'page', pageParam: 'page', sizeParam: 'size', firstPage: 1 },
  ],
  ['offset', { type: 'offset', offsetParam: 'offset', limitParam: 'limit' }],
  [
    'cursor',
    {
      type: 'cursor',
      cursorParam: 'cursor',
      sizeParam: 'limit',
      nextCursorPath: 'next',
    },
  ],
];

describe.each(paginations)(
  'GenericHttpAdapter with %s paging',
  (paging, pagination) => {
    let server: CmdbTestServer;
    beforeAll(async () => {
      server = await CmdbTestServer.start({
        type: 'generic',
        token: 't0k3n',
        paging,
        updatedField: 'modified',
      });
      server.setRows('services', services);
    });
    afterAll(() => server.stop());
    beforeEach(() => {
      server.requests.length = 0;
    });

    const adapter = (token = 't0k3n') =>
      new GenericHttpAdapter(
        new CmdbHttpClient(
          { type: 'bearer', token },
          { requestTimeoutMs: 1000, attempts: 2, retryDelayMs: 5 },
          mockServices.logger.mock(),
        ),
        {
          baseUrl: server.baseUrl,
          pageSize: 3,
          pagination,
          itemsPath: 'items',
          updatedSinceParam: 'updatedSince',
          records: {
            service: {
              path: '/services',
              fields: {
                id: 'key.value',
                name: 'attributes.title',
                owner: 'attributes.ownerTeam.id',
                dependsOn: 'deps.id',
              },
              viewUrlTemplate: 'https://cmdb.example.com/services/{id}',
            },
          },
        },
      );

    async function readAll(since?: Date, token?: string) {
      const items: CmdbItem[] = [];
      for await (const item of adapter(token).read({ since })) items.push(item);
      return items as CmdbRecord[];
    }

    it('reads every record, mapped by the configured paths, one page at a time', async () => {
      const items = await readAll();
      expect(items.map(i => i.id)).toEqual(services.map(s => s.key.value));
      expect(items[1]).toEqual({
        kind: 'service',
        id: 'svc-1',
        name: 'Service 1',
        owner: 'team-1',
        dependsOn: ['svc-0'],
        viewUrl: 'https://cmdb.example.com/services/svc-1',
      });
      // 7 records in pages of 3: three requests in every paging style
      expect(server.requests.length).toBe(3);
    });

    it('passes updated-since in a delta', async () => {
      const items = await readAll(new Date('2026-01-06T00:00:00Z'));
      expect(items.map(i => i.id)).toEqual(['svc-5', 'svc-6']);
    });

    it('fails on a wrong token without retrying', async () => {
      await expect(readAll(undefined, 'nope')).rejects.toThrow(/HTTP 401/);
      expect(server.requests).toHaveLength(1);
    });
  },
);
