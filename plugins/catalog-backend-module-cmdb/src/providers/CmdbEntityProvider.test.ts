import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { CmdbTestServer } from '../__testUtils__/CmdbTestServer';
import {
  CmdbEntityProvider,
  CmdbKnownEntitiesLoader,
} from './CmdbEntityProvider';
import { readCmdbProviderConfig } from './CmdbEntityProviderConfig';

describe('CmdbEntityProvider', () => {
  let server: CmdbTestServer;
  const mutations: EntityProviderMutation[] = [];
  const connection = {
    applyMutation: async (mutation: EntityProviderMutation) => {
      mutations.push(mutation);
    },
    refresh: async () => {},
  };

  beforeEach(async () => {
    mutations.length = 0;
    server = await CmdbTestServer.start({
      type: 'servicenow',
      username: 'u',
      password: 'p',
    });
    server.setRows('sys_user_group', [
      { sys_id: 'g1', name: 'payments', sys_updated_on: '2026-01-01 00:00:00' },
    ]);
    server.setRows(
      'cmdb_ci_service',
      Array.from({ length: 10 }, (_, n) => ({
        sys_id: `s${n}`,
        name: `svc-${n}`,
        support_group: 'g1',
        sys_updated_on: '2026-01-01 00:00:00',
      })),
    );
    for (const table of [
      'business_unit',
      'cmdb_ci_business_app',
      'sys_user',
      'sys_user_grmember',
      'cmdb_rel_ci',
    ]) {
      server.setRows(table, []);
    }
  });
  afterEach(() => server.stop());

  const provider = (
    maxRemovalShare = 0.2,
    loadKnownEntities?: CmdbKnownEntitiesLoader,
  ) => {
    const config = readCmdbProviderConfig(
      'sn',
      new ConfigReader({
        adapter: 'servicenow',
        baseUrl: server.baseUrl,
        auth: { type: 'basic', username: 'u', password: 'p' },
        schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
        removalGuard: { maxRemovalShare },
        http: {
          attempts: 2,
          retryDelay: { milliseconds: 5 },
          requestTimeout: { seconds: 2 },
        },
      }),
    );
    const instance = CmdbEntityProvider.fromConfig(config, {
      logger: mockServices.logger.mock(),
      loadKnownEntities,
    });
    return instance;
  };

  it('applies a full mutation with every entity under its location key', async () => {
    const instance = provider();
    await instance.connect(connection);
    const report = await instance.run();
    expect(report).toMatchObject({
      type: 'full',
      outcome: 'applied',
      recordsRead: 11,
      entitiesEmitted: 11,
    });
    expect(mutations).toHaveLength(1);
    const mutation = mutations[0] as Extract<
      EntityProviderMutation,
      { type: 'full' }
    >;
    expect(mutation.type).toBe('full');
    expect(
      mutation.entities.every(e => e.locationKey === 'cmdb-provider:sn'),
    ).toBe(true);
    expect(
      mutation.entities.find(e => e.entity.metadata.name === 'svc-3')?.entity
        .metadata.annotations?.['backstage.io/view-url'],
    ).toBe(`${server.baseUrl}/nav_to.do?uri=cmdb_ci_service.do%3Fsys_id%3Ds3`);
  });

  it('refuses a sync that would remove more than the allowed share', async () => {
    const instance = provider(0.2);
    await instance.connect(connection);
    await instance.run();
    const all = server.rows('cmdb_ci_service');
    server.setRows('cmdb_ci_service', all.slice(0, 7));
    const report = await instance.run();
    expect(report.outcome).toBe('refused');
    expect(report.message).toMatch(/would remove 3 of 11 entities/);
    expect(mutations).toHaveLength(1);

    server.setRows('cmdb_ci_service', all.slice(0, 9));
    expect((await instance.run()).outcome).toBe('applied');
  });

  it('keeps the last good entities when the CMDB fails, and recovers', async () => {
    const instance = provider();
    await instance.connect(connection);
    await instance.run();
    server.injectFaults(2, { status: 500 });
    const failed = await instance.run({ type: 'delta' });
    expect(failed).toMatchObject({ outcome: 'failed', type: 'delta' });
    expect(failed.message).toMatch(/failed after 2 tries/);
    expect(mutations).toHaveLength(1);
    expect((await instance.run({ type: 'delta' })).outcome).toBe('applied');
  });

  it('runs a delta with changes and retirements', async () => {
    const instance = provider();
    await instance.connect(connection);
    await instance.run();
    const rows = server.rows('cmdb_ci_service');
    const now = new Date().toISOString().slice(0, 19).replace('T', ' ');
    rows[0] = { ...rows[0], name: 'svc-zero', sys_updated_on: now };
    rows[1] = { ...rows[1], install_status: '7', sys_updated_on: now };
    const report = await instance.run({ type: 'delta' });
    expect(report).toMatchObject({
      type: 'delta',
      outcome: 'applied',
      recordsRead: 2,
      entitiesEmitted: 1,
      entitiesRemoved: 2,
    });
    const delta = mutations[1] as Extract<
      EntityProviderMutation,
      { type: 'delta' }
    >;
    expect(delta.added.map(d => d.entity.metadata.name)).toEqual(['svc-zero']);
    expect(
      delta.removed.map(r => ('entityRef' in r ? r.entityRef : '')).sort(),
    ).toEqual(['component:default/svc-0', 'component:default/svc-1']);
  });

  it('runs a delta asked for before any full sync as a full one', async () => {
    const instance = provider();
    await instance.connect(connection);
    expect((await instance.run({ type: 'delta' })).type).toBe('full');
  });

  it('retries a failed full sync at the next delta tick', async () => {
    const instance = provider();
    await instance.connect(connection);
    await instance.run();
    server.injectFaults(2, { status: 503 });
    expect(await instance.run({ type: 'full' })).toMatchObject({
      type: 'full',
      outcome: 'failed',
    });
    expect(await instance.run({ type: 'delta' })).toMatchObject({
      type: 'full',
      outcome: 'applied',
    });
    expect((await instance.run({ type: 'delta' })).type).toBe('delta');
  });

  it('guards removals on the first sync after a restart, from what the catalog has', async () => {
    async function* catalogHas() {
      for (let n = 0; n < 40; n++) {
        yield {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: `svc-${n}`,
            namespace: 'default',
            annotations: { 'cmdb.container-cloud.io/id': `s${n}` },
          },
        };
      }
    }
    const instance = provider(0.2, catalogHas);
    await instance.connect(connection);
    const report = await instance.run();
    expect(report.outcome).toBe('refused');
    expect(report.message).toMatch(/would remove 30 of 40 entities/);
    expect(mutations).toHaveLength(0);
  });
});
