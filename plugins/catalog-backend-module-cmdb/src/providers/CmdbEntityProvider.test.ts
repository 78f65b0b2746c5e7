import { mockServices } from '@backstage/backend-test-utils';
import { ConfigReader } from '@backstage/config';
import { EntityProviderMutation } from '@backstage/plugin-catalog-node';
import { CmdbTestServer } from '../__testUtils__/CmdbTestServer';
import {
  CmdbCatalogProgress,
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
    firstLoad?: { batchSize: number; catalogProgress?: CmdbCatalogProgress },
  ) => {
    const config = readCmdbProviderConfig(
      'sn',
      new ConfigReader({
        adapter: 'servicenow',
        baseUrl: server.baseUrl,
        auth: { type: 'basic', username: 'u', password: 'p' },
        schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
        removalGuard: { maxRemovalShare },
        ...(firstLoad ? { firstLoad: { batchSize: firstLoad.batchSize } } : {}),
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
      catalogProgress: firstLoad?.catalogProgress,
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

  describe('first load in delta batches', () => {
    type Full = Extract<EntityProviderMutation, { type: 'full' }>;
    type Delta = Extract<EntityProviderMutation, { type: 'delta' }>;
    const names = (list: { entity: { metadata: { name: string } } }[]) =>
      list.map(d => d.entity.metadata.name).sort();
    const now = () => new Date().toISOString().slice(0, 19).replace('T', ' ');

    it('sends the new entities as deltas of batchSize, then a full mutation of exactly the CMDB', async () => {
      async function* catalogHad() {
        // an entity of an earlier run whose record the CMDB no longer has
        yield {
          apiVersion: 'backstage.io/v1alpha1',
          kind: 'Component',
          metadata: {
            name: 'svc-gone',
            namespace: 'default',
            annotations: { 'cmdb.container-cloud.io/id': 's-gone' },
          },
        };
      }
      const instance = provider(1, catalogHad, { batchSize: 4 });
      await instance.connect(connection);
      const report = await instance.run();
      expect(report).toMatchObject({
        outcome: 'applied',
        entitiesEmitted: 11,
        entitiesRemoved: 1,
      });
      expect(mutations.map(m => m.type)).toEqual([
        'delta',
        'delta',
        'delta',
        'full',
      ]);
      const deltas = mutations.slice(0, 3) as Delta[];
      expect(deltas.map(d => d.added.length)).toEqual([4, 4, 3]);
      expect(deltas.every(d => d.removed.length === 0)).toBe(true);
      expect(names(deltas.flatMap(d => d.added))).toEqual(
        names((mutations[3] as Full).entities),
      );
      expect(names((mutations[3] as Full).entities)).toEqual(
        [
          ...Array.from({ length: 10 }, (_, n) => `svc-${n}`),
          'payments',
        ].sort(),
      );

      // the next full sync brings few new entities: one full mutation, as before
      mutations.length = 0;
      await instance.run();
      expect(mutations.map(m => m.type)).toEqual(['full']);
    });

    it('hands a batch over only once the catalog serves the one before the previous', async () => {
      const served = new Set<string>();
      const asked: string[][] = [];
      const catalogProgress = async (refs: string[]) => {
        asked.push(refs);
        return refs.filter(ref => served.has(ref)).length;
      };
      const instance = provider(0.2, undefined, {
        batchSize: 4,
        catalogProgress,
      });
      await instance.connect(connection);
      const done = instance.run();
      await waitUntil(() => mutations.length === 2);
      const first = (mutations[0] as Delta).added.map(d =>
        `${d.entity.kind}:default/${d.entity.metadata.name}`.toLowerCase(),
      );
      // the provider asked twice about the first batch and got "not served": the third batch waits
      const askedAboutFirst = () =>
        asked.filter(refs => refs.join() === first.join()).length;
      await waitUntil(() => askedAboutFirst() >= 2);
      expect(mutations).toHaveLength(2);
      first.forEach(ref => served.add(ref));
      expect((await done).outcome).toBe('applied');
      expect(mutations.map(m => m.type)).toEqual([
        'delta',
        'delta',
        'delta',
        'full',
      ]);
    });

    it('runs a delta asked for during the load between two batches, and the closing full mutation keeps its changes', async () => {
      const served = new Set<string>();
      const instance = provider(0.5, undefined, {
        batchSize: 4,
        catalogProgress: async refs =>
          refs.filter(ref => served.has(ref)).length,
      });
      await instance.connect(connection);
      const full = instance.run();
      await waitUntil(() => mutations.length === 2);

      const rows = server.rows('cmdb_ci_service');
      rows[9] = { ...rows[9], name: 'svc-nine', sys_updated_on: now() };
      rows[8] = { ...rows[8], install_status: '7', sys_updated_on: now() };
      const delta = await instance.run({ type: 'delta' });
      // it ran while the full sync still waits for the catalog
      expect(delta).toMatchObject({
        type: 'delta',
        outcome: 'applied',
        entitiesEmitted: 1,
        entitiesRemoved: 2,
      });
      expect(mutations).toHaveLength(3);
      const applied = mutations[2] as Delta;
      expect(names(applied.added)).toEqual(['svc-nine']);
      expect(
        applied.removed.map(r => ('entityRef' in r ? r.entityRef : '')).sort(),
      ).toEqual(['component:default/svc-8', 'component:default/svc-9']);

      for (const m of mutations) {
        if (m.type === 'delta') {
          m.added.forEach(d =>
            served.add(
              `${d.entity.kind}:default/${d.entity.metadata.name}`.toLowerCase(),
            ),
          );
        }
      }
      served.add('component:default/svc-8');
      served.add('component:default/svc-9');
      expect((await full).outcome).toBe('applied');
      const closing = mutations.at(-1) as Full;
      expect(closing.type).toBe('full');
      expect(names(closing.entities)).toEqual(
        [
          ...Array.from({ length: 8 }, (_, n) => `svc-${n}`),
          'svc-nine',
          'payments',
        ].sort(),
      );
      // the batches after the delta do not bring back what it removed
      const later = mutations.slice(3, -1) as Delta[];
      expect(
        names(later.flatMap(d => d.added)).filter(n =>
          ['svc-8', 'svc-9'].includes(n),
        ),
      ).toEqual([]);

      // and the next delta is an ordinary one again
      expect((await instance.run({ type: 'delta' })).type).toBe('delta');
    });

    it('goes on with the load when the catalog cannot tell how far it is', async () => {
      const instance = provider(0.2, undefined, {
        batchSize: 4,
        catalogProgress: async () => {
          throw new Error('catalog unavailable');
        },
      });
      await instance.connect(connection);
      expect((await instance.run()).outcome).toBe('applied');
      expect(mutations.map(m => m.type)).toEqual([
        'delta',
        'delta',
        'delta',
        'full',
      ]);
    });

    it('feeds the entities of one owner together, so the catalog stitches that owner once per batch', async () => {
      server.setRows('sys_user_group', [
        {
          sys_id: 'g1',
          name: 'payments',
          sys_updated_on: '2026-01-01 00:00:00',
        },
        { sys_id: 'g2', name: 'ledger', sys_updated_on: '2026-01-01 00:00:00' },
      ]);
      server.setRows(
        'cmdb_ci_service',
        Array.from({ length: 8 }, (_, n) => ({
          sys_id: `s${n}`,
          name: `svc-${n}`,
          support_group: n % 2 ? 'g2' : 'g1',
          sys_updated_on: '2026-01-01 00:00:00',
        })),
      );
      const instance = provider(0.2, undefined, { batchSize: 4 });
      await instance.connect(connection);
      await instance.run();
      const batches = (mutations.slice(0, -1) as Delta[]).map(d =>
        d.added.map(a => `${a.entity.kind}:${a.entity.metadata.name}`),
      );
      expect(batches).toEqual([
        [
          'Group:ledger',
          'Group:payments',
          'Component:svc-1',
          'Component:svc-3',
        ],
        [
          'Component:svc-5',
          'Component:svc-7',
          'Component:svc-0',
          'Component:svc-2',
        ],
        ['Component:svc-4', 'Component:svc-6'],
      ]);
    });

    it('refuses a batch size that is not a whole number', () => {
      expect(() =>
        readCmdbProviderConfig(
          'sn',
          new ConfigReader({
            adapter: 'servicenow',
            baseUrl: server.baseUrl,
            schedule: { frequency: { hours: 1 }, timeout: { minutes: 10 } },
            firstLoad: { batchSize: 2.5 },
          }),
        ),
      ).toThrow(
        'Invalid config at catalog.providers.cmdb.sn: firstLoad.batchSize must be a whole number of entities, 0 or more, not 2.5',
      );
    });
  });
});

async function waitUntil(check: () => boolean) {
  for (let i = 0; i < 400 && !check(); i++) {
    await new Promise(resolve => setTimeout(resolve, 10));
  }
  if (!check()) throw new Error('the condition never held');
}
