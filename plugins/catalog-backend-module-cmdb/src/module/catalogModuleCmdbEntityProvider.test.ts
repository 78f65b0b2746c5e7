import {
  mockCredentials,
  mockServices,
  startTestBackend,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import catalogPlugin from '@backstage/plugin-catalog-backend';
import { CmdbTestServer } from '../__testUtils__/CmdbTestServer';
import { manualScheduler } from '../__testUtils__/manualScheduler';
import { catalogModuleCmdbEntityProvider } from './catalogModuleCmdbEntityProvider';

jest.setTimeout(180_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

const updatedNow = () =>
  new Date().toISOString().slice(0, 19).replace('T', ' ');
const OLD = '2026-01-01 00:00:00';

function seed(server: CmdbTestServer) {
  server.setRows('business_unit', [
    {
      sys_id: 'bu1',
      name: 'Retail Banking',
      bu_head: 'u1',
      sys_updated_on: OLD,
    },
  ]);
  server.setRows('cmdb_ci_business_app', [
    {
      sys_id: 'ba1',
      name: 'Checkout',
      managed_by_group: 'g2',
      u_business_unit: 'bu1',
      install_status: '1',
      sys_updated_on: OLD,
    },
  ]);
  server.setRows('cmdb_ci_service', [
    ...['Payments API', 'ledger', 'fraud-check', 'notifier', 'reports'].map(
      (name, n) => ({
        sys_id: `s${n}`,
        name,
        support_group: 'g2',
        u_business_application: 'ba1',
        u_lifecycle: 'production',
        install_status: '1',
        sys_updated_on: OLD,
      }),
    ),
    // bad: owned by a group the CMDB does not have
    {
      sys_id: 's-bad',
      name: 'orphan',
      support_group: 'g-missing',
      install_status: '1',
      sys_updated_on: OLD,
    },
  ]);
  server.setRows('sys_user_group', [
    { sys_id: 'g1', name: 'Platform', active: 'true', sys_updated_on: OLD },
    {
      sys_id: 'g2',
      name: 'Team Payments',
      parent: 'g1',
      email: 'pay@acme.com',
      active: 'true',
      sys_updated_on: OLD,
    },
  ]);
  server.setRows('sys_user', [
    {
      sys_id: 'u1',
      user_name: 'alice',
      name: 'Alice Anders',
      email: 'alice@acme.com',
      active: 'true',
      sys_updated_on: OLD,
    },
  ]);
  server.setRows('sys_user_grmember', [
    { sys_id: 'm1', user: 'u1', group: 'g2' },
  ]);
  server.setRows('cmdb_rel_ci', [{ sys_id: 'r1', parent: 's0', child: 's1' }]);
}

const bulkService = (n: number) => ({
  sys_id: `bs${n}`,
  name: `bulk-${n}`,
  support_group: 'bg1',
  u_lifecycle: 'production',
  install_status: '1',
  sys_updated_on: OLD,
});

describe('CMDB entity provider in the real catalog', () => {
  it('has PostgreSQL to run against', () => {
    // scripts/test starts one; without it the PostgreSQL half would silently not run
    expect(
      process.env.BACKSTAGE_TEST_DATABASE_POSTGRES15_CONNECTION_STRING,
    ).toBeTruthy();
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startTestBackend>>;
    let cmdb: CmdbTestServer;
    let genericCmdb: CmdbTestServer;
    let bulkCmdb: CmdbTestServer;
    const scheduler = manualScheduler();
    const fullSync = () => scheduler.run('cmdb-provider:acme:full');
    const deltaSync = () => scheduler.run('cmdb-provider:acme:delta');

    async function getEntity(ref: string): Promise<Entity | undefined> {
      const res = await fetch(
        `http://localhost:${backend.server.port()}/api/catalog/entities/by-name/${ref}`,
        { headers: { Authorization: mockCredentials.service.header() } },
      );
      if (res.status === 404) return undefined;
      expect(res.status).toBe(200);
      return res.json();
    }

    /** Polls the catalog's API until `check` holds for the entity (processing is asynchronous). */
    async function waitFor(
      ref: string,
      check: (e: Entity | undefined) => boolean,
    ) {
      let last: Entity | undefined;
      for (let i = 0; i < 240; i++) {
        last = await getEntity(ref);
        if (check(last)) return last;
        await new Promise(resolve => setTimeout(resolve, 250));
      }
      throw new Error(
        `${ref} never reached the expected state; last seen ${JSON.stringify(
          last,
        )}`,
      );
    }

    const relations = (entity: Entity | undefined) =>
      (entity?.relations ?? []).map(r => `${r.type} ${r.targetRef}`).sort();

    beforeAll(async () => {
      cmdb = await CmdbTestServer.start({
        type: 'servicenow',
        username: 'backstage',
        password: 's3cret',
      });
      seed(cmdb);
      genericCmdb = await CmdbTestServer.start({
        type: 'generic',
        token: 'gen-token',
        paging: 'offset',
        updatedField: 'updated',
      });
      genericCmdb.setRows('teams', [
        { key: 'T-9', title: 'Billing Team', updated: '2026-01-01' },
      ]);
      genericCmdb.setRows('services', [
        {
          key: 'SVC-1',
          title: 'Billing Engine',
          team: { key: 'T-9' },
          links: { ui: 'https://cmdb.example.com/SVC-1' },
          k8s: 'billing',
          updated: '2026-01-01',
        },
        {
          key: 'SVC-2',
          title: 'Invoices',
          team: { key: 'T-9' },
          needs: [{ key: 'SVC-1' }],
          updated: '2026-01-01',
        },
      ]);
      bulkCmdb = await CmdbTestServer.start({
        type: 'servicenow',
        username: 'bulk',
        password: 'bulk',
      });
      for (const table of [
        'business_unit',
        'cmdb_ci_business_app',
        'sys_user',
        'sys_user_grmember',
        'cmdb_rel_ci',
      ]) {
        bulkCmdb.setRows(table, []);
      }
      bulkCmdb.setRows('sys_user_group', [
        {
          sys_id: 'bg1',
          name: 'bulk-team',
          active: 'true',
          sys_updated_on: OLD,
        },
      ]);
      bulkCmdb.setRows(
        'cmdb_ci_service',
        Array.from({ length: 12 }, (_, n) => bulkService(n)),
      );
      const knex = await databases.init(databaseId as TestDatabaseId);
      backend = await startTestBackend({
        features: [
          catalogPlugin,
          catalogModuleCmdbEntityProvider,
          scheduler.factory,
          mockServices.database.factory({ knex }),
          mockServices.rootConfig.factory({
            data: {
              catalog: {
                providers: {
                  cmdb: {
                    acme: {
                      adapter: 'servicenow',
                      baseUrl: cmdb.baseUrl,
                      auth: {
                        type: 'basic',
                        username: 'backstage',
                        password: 's3cret',
                      },
                      schedule: {
                        frequency: { hours: 6 },
                        timeout: { minutes: 30 },
                      },
                      deltaSchedule: {
                        frequency: { minutes: 5 },
                        timeout: { minutes: 5 },
                      },
                      removalGuard: { maxRemovalShare: 0.2 },
                      pageSize: 2,
                      http: { attempts: 2, retryDelay: { milliseconds: 10 } },
                    },
                    bulk: {
                      adapter: 'servicenow',
                      baseUrl: bulkCmdb.baseUrl,
                      auth: {
                        type: 'basic',
                        username: 'bulk',
                        password: 'bulk',
                      },
                      schedule: {
                        frequency: { hours: 6 },
                        timeout: { minutes: 30 },
                      },
                      deltaSchedule: {
                        frequency: { minutes: 5 },
                        timeout: { minutes: 5 },
                      },
                      removalGuard: { maxRemovalShare: 0.5 },
                      firstLoad: { batchSize: 3 },
                      pageSize: 5,
                    },
                    generic: {
                      adapter: 'generic',
                      baseUrl: genericCmdb.baseUrl,
                      auth: { type: 'bearer', token: 'gen-token' },
                      schedule: {
                        frequency: { hours: 6 },
                        timeout: { minutes: 30 },
                      },
                      pagination: { type: 'offset' },
                      pageSize: 1,
                      records: {
                        team: {
                          path: '/teams',
                          fields: { id: 'key', name: 'title' },
                        },
                        service: {
                          path: '/services',
                          fields: {
                            id: 'key',
                            name: 'title',
                            owner: 'team.key',
                            dependsOn: 'needs.key',
                            viewUrl: 'links.ui',
                            kubernetesId: 'k8s',
                          },
                        },
                      },
                    },
                  },
                },
              },
            },
          }),
        ],
      });
    });

    afterAll(async () => {
      await backend?.stop();
      await cmdb?.stop();
      await genericCmdb?.stop();
      await bulkCmdb?.stop();
    });

    /** The names of the entities the catalog serves from the `bulk` provider. */
    async function bulkNames(): Promise<string[]> {
      const res = await fetch(
        `http://localhost:${backend.server.port()}/api/catalog/entities/by-query?filter=metadata.annotations.cmdb.container-cloud.io/provider=bulk&fields=kind,metadata.name&limit=1000`,
        { headers: { Authorization: mockCredentials.service.header() } },
      );
      expect(res.status).toBe(200);
      const body = (await res.json()) as { items: Entity[] };
      return body.items
        .map(e => `${e.kind.toLowerCase()}:${e.metadata.name}`)
        .sort();
    }

    async function waitForBulk(expected: string[]) {
      let last: string[] = [];
      for (let i = 0; i < 240; i++) {
        last = await bulkNames();
        if (JSON.stringify(last) === JSON.stringify(expected)) break;
        await new Promise(resolve => setTimeout(resolve, 250));
      }
      return last;
    }

    it('feeds a first load in delta batches and ends with exactly the CMDB: records gone or retired meanwhile disappear', async () => {
      await scheduler.run('cmdb-provider:bulk:full');
      const first = [
        'group:bulk-team',
        ...Array.from({ length: 12 }, (_, n) => `component:bulk-${n}`),
      ].sort();
      expect(await waitForBulk(first)).toEqual(first);

      // The CMDB loses two records outright and gains eight (again more than a batch): the next
      // full sync feeds them in batches too. A delta during it retires one record and renames
      // another.
      const rows = bulkCmdb.rows('cmdb_ci_service');
      bulkCmdb.setRows('cmdb_ci_service', [
        ...rows.filter(r => r.sys_id !== 'bs0' && r.sys_id !== 'bs1'),
        ...Array.from({ length: 8 }, (_, n) => bulkService(20 + n)),
      ]);
      const full = scheduler.run('cmdb-provider:bulk:full');
      await waitFor('component/default/bulk-20', e => e !== undefined);
      const now = bulkCmdb.rows('cmdb_ci_service');
      const at = (id: string) => now.findIndex(r => r.sys_id === id);
      now[at('bs2')] = {
        ...now[at('bs2')],
        install_status: '7',
        sys_updated_on: updatedNow(),
      };
      now[at('bs3')] = {
        ...now[at('bs3')],
        name: 'bulk-three',
        sys_updated_on: updatedNow(),
      };
      await Promise.all([full, scheduler.run('cmdb-provider:bulk:delta')]);
      const final = [
        'group:bulk-team',
        'component:bulk-three',
        ...[4, 5, 6, 7, 8, 9, 10, 11].map(n => `component:bulk-${n}`),
        ...Array.from({ length: 8 }, (_, n) => `component:bulk-${20 + n}`),
      ].sort();
      expect(await waitForBulk(final)).toEqual(final);
    });

    it('puts every kind into the catalog with its relations, and skips the bad record', async () => {
      await fullSync();
      const expected: Record<string, string[]> = {
        'component/default/payments-api': [
          'dependsOn component:default/ledger',
          'ownedBy group:default/team-payments',
          'partOf system:default/checkout',
        ],
        'component/default/ledger': [
          'dependencyOf component:default/payments-api',
          'ownedBy group:default/team-payments',
          'partOf system:default/checkout',
        ],
        'system/default/checkout': [
          'hasPart component:default/fraud-check',
          'hasPart component:default/ledger',
          'hasPart component:default/notifier',
          'hasPart component:default/payments-api',
          'hasPart component:default/reports',
          'ownedBy group:default/team-payments',
          'partOf domain:default/retail-banking',
        ],
        'domain/default/retail-banking': [
          'hasPart system:default/checkout',
          'ownedBy user:default/alice',
        ],
        'group/default/team-payments': expect.arrayContaining([
          'childOf group:default/platform',
          'hasMember user:default/alice',
          'ownerOf component:default/payments-api',
          'ownerOf system:default/checkout',
        ]),
        'group/default/platform': ['parentOf group:default/team-payments'],
        'user/default/alice': [
          'memberOf group:default/team-payments',
          'ownerOf domain:default/retail-banking',
        ],
      };
      for (const [ref, wanted] of Object.entries(expected)) {
        const entity = await waitFor(ref, e => {
          try {
            expect(relations(e)).toEqual(wanted);
            return true;
          } catch {
            return false;
          }
        });
        expect(relations(entity)).toEqual(wanted);
      }

      const service = await getEntity('component/default/payments-api');
      expect(service!.metadata.title).toBe('Payments API');
      expect(service!.metadata.annotations).toMatchObject({
        'cmdb.container-cloud.io/id': 's0',
        'backstage.io/kubernetes-id': 'payments-api',
        'backstage.io/view-url': `${cmdb.baseUrl}/nav_to.do?uri=cmdb_ci_service.do%3Fsys_id%3Ds0`,
      });
      expect(service!.spec).toMatchObject({
        type: 'service',
        lifecycle: 'production',
      });
      expect(await getEntity('component/default/orphan')).toBeUndefined();
    });

    it('shows a changed record after a delta sync', async () => {
      const rows = cmdb.rows('cmdb_ci_service');
      rows[1] = {
        ...rows[1],
        u_lifecycle: 'deprecated',
        sys_updated_on: updatedNow(),
      };
      await deltaSync();
      const ledger = await waitFor(
        'component/default/ledger',
        e => e?.spec?.lifecycle === 'deprecated',
      );
      expect(ledger!.spec!.owner).toBe('group:default/team-payments');
    });

    it('removes a retired record in a delta and a deleted one in a full sync', async () => {
      const rows = cmdb.rows('cmdb_ci_service');
      rows[2] = {
        ...rows[2],
        install_status: '7',
        sys_updated_on: updatedNow(),
      };
      await deltaSync();
      await waitFor('component/default/fraud-check', e => e === undefined);

      cmdb.setRows(
        'cmdb_ci_service',
        rows.filter(r => r.sys_id !== 's3'),
      );
      await fullSync();
      await waitFor('component/default/notifier', e => e === undefined);
      expect(await getEntity('component/default/payments-api')).toBeDefined();
    });

    it('refuses a sync that would remove too much, and keeps the entities', async () => {
      const rows = cmdb.rows('cmdb_ci_service');
      // 8 entities now; dropping payments-api, ledger and reports would remove 3 of them (37%)
      cmdb.setRows('cmdb_ci_service', []);
      await fullSync();

      // a later, harmless change still lands, and only then the removals would have been visible
      cmdb.setRows('cmdb_ci_service', rows);
      const teams = cmdb.rows('sys_user_group');
      teams[0] = {
        ...teams[0],
        description: 'runs the platform',
        sys_updated_on: updatedNow(),
      };
      await deltaSync();
      await waitFor(
        'group/default/platform',
        e => e?.metadata.description === 'runs the platform',
      );
      for (const name of ['payments-api', 'ledger', 'reports']) {
        expect(await getEntity(`component/default/${name}`)).toBeDefined();
      }
    });

    it.each([
      ['rejects the credentials', 1, 401],
      ['keeps failing', 2, 500],
    ])('keeps the entities when the CMDB %s', async (_what, count, status) => {
      cmdb.injectFaults(count, { status });
      await fullSync();
      cmdb.clearFaults();
      expect(await getEntity('component/default/payments-api')).toBeDefined();
      expect(await getEntity('user/default/alice')).toBeDefined();
    });

    it('reads a generic JSON CMDB through its own provider', async () => {
      await scheduler.run('cmdb-provider:generic:full');
      const invoices = await waitFor('component/default/invoices', e =>
        relations(e).includes('dependsOn component:default/billing-engine'),
      );
      expect(relations(invoices)).toEqual([
        'dependsOn component:default/billing-engine',
        'ownedBy group:default/billing-team',
      ]);
      const engine = await getEntity('component/default/billing-engine');
      expect(engine!.metadata.annotations).toMatchObject({
        'backstage.io/view-url': 'https://cmdb.example.com/SVC-1',
        'backstage.io/kubernetes-id': 'billing',
        'cmdb.container-cloud.io/provider': 'generic',
      });
      // the other provider's entities are untouched
      expect(await getEntity('component/default/payments-api')).toBeDefined();
    });
  });
});
