import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import yaml from 'js-yaml';
import { mockCredentials } from '@backstage/backend-test-utils';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  APP_STORE_CLUSTER as CLUSTER,
  helmReleases,
  startAppStoreSuite,
} from '../__testUtils__/appStoreSuite';
import { BOB, GUEST, runSuiteAction } from '../__testUtils__/startSuiteBackend';
import { appStoreInstallAction } from './appStoreInstallAction';
import { appStoreUninstallAction } from './appStoreUninstallAction';
import type { SuiteAction } from './SuiteAction';

jest.setTimeout(300_000);

// container-cloud:app-store:install and :uninstall end to end on the local cloud: the real
// app-store backend (Helm, the project's charts in the local registry), the catalog and the
// policy; as the guest (an owner of payments-api) and as bob (not an owner).
const lc = useLocalCloud({ namespacePrefix: 'scaffold-as' });
/** the project's Redis chart, pushed to the local registry by local-cloud */
const CHART = 'redis';

describe('the app store actions on the local cloud', () => {
  let suite: Awaited<ReturnType<typeof startAppStoreSuite>>;

  beforeAll(async () => {
    // the MCP server over the actions registry, as packages/backend has it
    suite = await startAppStoreSuite(lc, [mcpActionsPlugin]);
  });

  afterAll(() => suite?.backend.stop());

  const helmList = () => helmReleases(lc);
  const run = async (
    action: SuiteAction<any, any>,
    user: string,
    input: object,
    isDryRun = false,
  ) =>
    (await runSuiteAction(suite.deps, action, user, input, isDryRun)).outputs;

  const redis = (name: string) => ({
    chart: CHART,
    owner: 'component:default/payments-api',
    cluster: CLUSTER,
    namespace: lc.namespace,
    name,
    preset: 'small',
    storage: '1Gi',
    readyTimeoutSeconds: 240,
  });
  const where = (name: string) => ({
    cluster: CLUSTER,
    namespace: lc.namespace,
    name,
  });

  it('as the guest: a dry run installs nothing; two runs install once (one release); another chart of that name is refused', async () => {
    const dry = await run(appStoreInstallAction, GUEST, redis('cache'), true);
    expect(dry).toMatchObject({ outcome: 'would-install', chart: CHART });
    expect(helmList()).toEqual([]);

    const first = await run(appStoreInstallAction, GUEST, redis('cache'));
    expect(first).toMatchObject({
      outcome: 'installed',
      phase: 'ready',
      chart: CHART,
      owner: 'component:default/payments-api',
      host: expect.stringContaining(lc.namespace),
      port: expect.any(Number),
      passwordSecret: expect.any(String),
    });
    expect(first).not.toHaveProperty('password');

    const again = await run(appStoreInstallAction, GUEST, {
      ...redis('cache'),
      owner: 'payments-api',
    });
    expect(again).toEqual({ ...first, outcome: 'unchanged' });
    expect(helmList().map(r => [r.name, r.status])).toEqual([
      ['cache', 'deployed'],
    ]);

    await expect(
      run(appStoreInstallAction, GUEST, { ...redis('cache'), chart: 'mysql' }),
    ).rejects.toThrow(`is an app store instance already, with chart ${CHART}`);
    expect(helmList().map(r => r.chart)).toEqual([
      expect.stringMatching(new RegExp(`^${CHART}-`)),
    ]);
  });

  it('as bob (no owner of payments-api): the step fails in the backend’s words, nothing installed', async () => {
    await expect(
      run(appStoreInstallAction, BOB, redis('refused')),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('only its owners and ops admins may'),
    });
    expect(helmList().map(r => r.name)).not.toContain('refused');
  });

  it('a Group owner: the guest (a member of team-payments) installs for the team, bob may not', async () => {
    const team = {
      ...redis('team-cache'),
      owner: 'group:default/team-payments',
      waitForReady: false,
    };
    await expect(run(appStoreInstallAction, BOB, team)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('only its members and ops admins may'),
    });
    expect(helmList().map(r => r.name)).not.toContain('team-cache');

    const out = await run(appStoreInstallAction, GUEST, team);
    expect(out).toMatchObject({
      outcome: 'installed',
      owner: 'group:default/team-payments',
    });
    expect(
      await run(appStoreUninstallAction, GUEST, {
        ...where('team-cache'),
        owner: 'group:default/team-payments',
      }),
    ).toMatchObject({ outcome: 'uninstalled' });
    expect(helmList().map(r => r.name)).not.toContain('team-cache');
  });

  it('uninstall: refused for bob, done for the guest (no release left), a re-run finds it absent', async () => {
    await expect(
      run(appStoreUninstallAction, BOB, where('cache')),
    ).rejects.toMatchObject({ name: 'NotAllowedError' });
    expect(helmList().map(r => r.name)).toEqual(['cache']);

    const dry = await run(appStoreUninstallAction, GUEST, where('cache'), true);
    expect(dry.outcome).toBe('would-uninstall');
    expect(helmList().map(r => r.name)).toEqual(['cache']);

    const removed = await run(appStoreUninstallAction, GUEST, {
      ...where('cache'),
      chart: CHART,
    });
    expect(removed).toEqual({
      outcome: 'uninstalled',
      ...where('cache'),
      chart: CHART,
      owner: 'component:default/payments-api',
    });
    expect(helmList()).toEqual([]);

    const again = await run(appStoreUninstallAction, GUEST, where('cache'));
    expect(again).toEqual({ outcome: 'absent', ...where('cache') });
  });

  it.each([
    ['redis-for-service', 'Redis'],
    ['mysql-for-service', 'MySQL'],
  ])(
    'runs %s through the scaffolder’s own dry run, as the guest: installs nothing',
    async (name, product) => {
      const template = (
        yaml.loadAll(
          readFileSync(
            resolve(__dirname, '../../../../examples/templates/app-store.yaml'),
            'utf8',
          ),
        ) as Array<{ metadata: { name: string } }>
      ).find(t => t.metadata.name === name);
      const res = await request(suite.backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(GUEST))
        .send({
          template,
          values: {
            service: 'component:default/payments-api',
            // what ContainerCloudPlacementPicker answers
            placement: { cluster: CLUSTER, namespace: lc.namespace },
            name: 'from-template',
            preset: 'small',
            storage: '1Gi',
            expiresInDays: 7,
            prefix: `${product.toUpperCase()}_`,
          },
          secrets: {},
          directoryContents: [],
        });
      expect(res.status).toBe(200);
      expect(res.body.output.links[0].url).toBe(
        `http://localhost:3000/app-store/instances/${CLUSTER}/${lc.namespace}/from-template`,
      );
      expect(res.body.output.text[0].content).toContain(
        `${product} **from-template**`,
      );
      expect(res.body.output.text[0].content).toContain('would-install');
      expect(helmList().map(r => r.name)).not.toContain('from-template');
    },
  );

  it('the actions registry and the MCP server list both actions', async () => {
    const res = await request(suite.backend.server)
      .get('/api/scaffolder/.backstage/actions/v1/actions')
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(res.status).toBe(200);
    const actions = res.body.actions as Array<{
      id: string;
      attributes: { destructive: boolean };
      schema: { input: { properties: object } };
    }>;
    const install = actions.find(
      a => a.id === 'scaffolder:container-cloud-app-store-install',
    );
    const uninstall = actions.find(
      a => a.id === 'scaffolder:container-cloud-app-store-uninstall',
    );
    expect(Object.keys(install!.schema.input.properties)).toEqual(
      expect.arrayContaining(['chart', 'owner', 'attachTo', 'dryRun']),
    );
    expect(install!.attributes.destructive).toBe(false);
    expect(uninstall!.attributes.destructive).toBe(true);

    const mcp = await request(suite.backend.server)
      .post('/api/mcp-actions/v1')
      .set('Authorization', mockCredentials.user.header(GUEST))
      .set('Accept', 'application/json, text/event-stream')
      .send({ jsonrpc: '2.0', id: 1, method: 'tools/list', params: {} });
    expect(mcp.status).toBe(200);
    const data = mcp.text.split('\n').find(line => line.startsWith('data: '));
    const { tools } = JSON.parse(data!.slice('data: '.length)).result;
    expect(tools.map((t: { name: string }) => t.name)).toEqual(
      expect.arrayContaining([
        'scaffolder.container-cloud-app-store-install',
        'scaffolder.container-cloud-app-store-uninstall',
      ]),
    );
  });
});
