import { ConfigReader } from '@backstage/config';
import {
  readCmdbProviderConfig,
  readCmdbProviderConfigs,
} from './CmdbEntityProviderConfig';

const base = {
  baseUrl: 'https://cmdb.example.com/',
  schedule: { frequency: { hours: 6 }, timeout: { minutes: 30 } },
};

describe('readCmdbProviderConfigs', () => {
  it('reads a generic CMDB with its mapping, paging and auth', () => {
    const [config] = readCmdbProviderConfigs(
      new ConfigReader({
        catalog: {
          providers: {
            cmdb: {
              acme: {
                ...base,
                adapter: 'generic',
                auth: { type: 'bearer', token: 'abc' },
                deltaSchedule: {
                  frequency: { minutes: 5 },
                  timeout: { minutes: 5 },
                },
                pagination: { type: 'cursor', nextCursorPath: 'meta.next' },
                updatedSinceParam: 'since',
                records: {
                  service: {
                    path: '/services',
                    fields: {
                      id: 'id',
                      name: 'attributes.name',
                      owner: 'owner.id',
                    },
                  },
                  team: {
                    path: '/teams',
                    fields: { id: 'id', name: 'name' },
                    deletedWhen: { field: 'state', values: ['gone'] },
                  },
                },
              },
            },
          },
        },
      }),
    );
    expect(config).toMatchObject({
      id: 'acme',
      baseUrl: 'https://cmdb.example.com',
      auth: { type: 'bearer', token: 'abc' },
      maxRemovalShare: 0.2,
      pageSize: 500,
      http: { requestTimeoutMs: 30000, attempts: 4, retryDelayMs: 2000 },
      namespace: 'default',
      defaultLifecycle: 'production',
      deltaSchedule: { frequency: { minutes: 5 } },
      source: {
        adapter: 'generic',
        pagination: {
          type: 'cursor',
          cursorParam: 'cursor',
          sizeParam: 'limit',
          nextCursorPath: 'meta.next',
        },
        itemsPath: 'items',
        updatedSinceParam: 'since',
        records: {
          service: {
            path: '/services',
            fields: { id: 'id', name: 'attributes.name', owner: 'owner.id' },
          },
          team: { deletedWhen: { field: 'state', values: ['gone'] } },
        },
      },
    });
  });

  it('fills in ServiceNow tables and lets config override fields or turn tables off', () => {
    const config = readCmdbProviderConfig(
      'sn',
      new ConfigReader({
        ...base,
        adapter: 'servicenow',
        auth: { type: 'basic', username: 'u', password: 'p' },
        records: {
          service: { fields: { parent: 'u_project' } },
          businessLine: { enabled: false },
        },
        dependencies: { enabled: false },
      }),
    );
    if (config.source.adapter !== 'servicenow')
      throw new Error('wrong adapter');
    expect(config.source.tables.businessLine).toBeUndefined();
    expect(config.source.tables.service).toMatchObject({
      table: 'cmdb_ci_service',
      fields: {
        id: 'sys_id',
        name: 'name',
        owner: 'support_group',
        parent: 'u_project',
      },
      viewUrlTemplate:
        'https://cmdb.example.com/nav_to.do?uri=cmdb_ci_service.do%3Fsys_id%3D{id}',
    });
    expect(config.source.memberships).toEqual({
      table: 'sys_user_grmember',
      from: 'user',
      to: 'group',
    });
    expect(config.source.dependencies).toBeUndefined();
  });

  it.each([
    [{ adapter: 'ldap' }, /adapter must be generic or servicenow/],
    [{ adapter: 'generic', auth: { type: 'oauth' } }, /auth.type must be/],
    [
      { adapter: 'generic', removalGuard: { maxRemovalShare: 2 } },
      /between 0 and 1/,
    ],
    [
      {
        adapter: 'generic',
        records: { service: { path: '/s', fields: { id: 'id' } } },
      },
      /fields.id and fields.name/,
    ],
  ])('rejects bad config %j', (extra, message) => {
    expect(() =>
      readCmdbProviderConfig('bad', new ConfigReader({ ...base, ...extra })),
    ).toThrow(message);
  });

  it('is empty without providers', () => {
    expect(readCmdbProviderConfigs(new ConfigReader({}))).toEqual([]);
  });
});
