import { mockServices } from '@backstage/backend-test-utils';
import { CmdbTestServer } from '../__testUtils__/CmdbTestServer';
import { CmdbItem } from '../lib/types';
import { CmdbHttpClient, CmdbHttpOptions } from './CmdbHttpClient';
import { ServiceNowAdapter } from './ServiceNowAdapter';
import {
  SERVICENOW_DEFAULT_MEMBERSHIPS,
  SERVICENOW_DEFAULT_TABLES,
} from './serviceNowDefaults';

const http: CmdbHttpOptions = {
  requestTimeoutMs: 500,
  attempts: 3,
  retryDelayMs: 10,
};

async function readAll(adapter: ServiceNowAdapter, since?: Date) {
  const items: CmdbItem[] = [];
  for await (const item of adapter.read({ since })) items.push(item);
  return items;
}

describe('ServiceNowAdapter', () => {
  let server: CmdbTestServer;
  const adapterFor = (password = 'secret', pageSize = 2) =>
    new ServiceNowAdapter(
      new CmdbHttpClient(
        { type: 'basic', username: 'backstage', password },
        http,
        mockServices.logger.mock(),
      ),
      {
        baseUrl: server.baseUrl,
        pageSize,
        tables: {
          service: SERVICENOW_DEFAULT_TABLES.service,
          team: SERVICENOW_DEFAULT_TABLES.team,
        },
        memberships: SERVICENOW_DEFAULT_MEMBERSHIPS,
      },
    );

  beforeAll(async () => {
    server = await CmdbTestServer.start({
      type: 'servicenow',
      username: 'backstage',
      password: 'secret',
    });
  });
  afterAll(() => server.stop());
  beforeEach(() => {
    server.clearFaults();
    server.requests.length = 0;
    server.setRows(
      'cmdb_ci_service',
      [1, 2, 3, 4, 5].map(n => ({
        sys_id: `s${n}`,
        name: `Service ${n}`,
        support_group: 'g1',
        install_status: n === 5 ? '7' : '1',
        sys_updated_on: `2026-01-0${n} 00:00:00`,
        noise: 'not asked for',
      })),
    );
    server.setRows('sys_user_group', [
      {
        sys_id: 'g1',
        name: 'Team One',
        active: 'true',
        sys_updated_on: '2026-01-01 00:00:00',
      },
    ]);
    server.setRows('sys_user_grmember', [
      { sys_id: 'm1', user: 'u1', group: 'g1' },
    ]);
  });

  it('pages through every table with limit and offset, then the link tables', async () => {
    const items = await readAll(adapterFor());
    expect(items).toHaveLength(7);
    expect(items[0]).toEqual({
      kind: 'service',
      id: 's1',
      name: 'Service 1',
      owner: 'g1',
      viewUrl: undefined,
    } as object);
    expect(items[4]).toMatchObject({ id: 's5', deleted: true });
    expect(items[6]).toEqual({ kind: 'membership', from: 'u1', to: 'g1' });
    const serviceCalls = server.requests.filter(r =>
      r.includes('cmdb_ci_service'),
    );
    expect(serviceCalls).toHaveLength(3);
    const last = new URL(`http://x${serviceCalls[2]}`).searchParams;
    expect(last.get('sysparm_offset')).toBe('4');
    expect(last.get('sysparm_limit')).toBe('2');
    expect(last.get('sysparm_query')).toBe('ORDERBYsys_id');
    expect(last.get('sysparm_exclude_reference_link')).toBe('true');
    expect(last.get('sysparm_fields')?.split(',')).toContain('install_status');
  });

  it('asks only for rows updated since, and skips link tables, in a delta', async () => {
    const items = await readAll(adapterFor(), new Date('2026-01-04T00:00:00Z'));
    expect(items.map(i => ('id' in i ? i.id : i.kind))).toEqual(['s4', 's5']);
    expect(server.requests[0]).toContain(
      encodeURIComponent(
        'sys_updated_on>=2026-01-04 00:00:00^ORDERBYsys_id',
      ).replace(/%20/g, '+'),
    );
  });

  it('fails at once on bad credentials', async () => {
    await expect(readAll(adapterFor('wrong'))).rejects.toThrow(
      /refused the credentials \(HTTP 401\)/,
    );
    expect(server.requests).toHaveLength(1);
  });

  it('retries 500s and slow pages with backoff', async () => {
    server.injectFaults(1, { status: 500 });
    server.injectFaults(1, { delayMs: 1000 });
    const items = await readAll(adapterFor());
    expect(items).toHaveLength(7);
    expect(
      server.requests.filter(
        r => r.includes('sysparm_offset=0') && r.includes('cmdb_ci_service'),
      ),
    ).toHaveLength(3);
  });

  it('gives up after the configured tries', async () => {
    server.injectFaults(3, { status: 503 });
    await expect(readAll(adapterFor())).rejects.toThrow(/failed after 3 tries/);
  });
});
