import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import mcpActionsPlugin from '@backstage/plugin-mcp-actions-backend';
import request from 'supertest';
import {
  BOB,
  GUEST,
  localCloudClusters,
  paymentsServicePlacedIn,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { scaffolderAction } from './adapters';
import { createServiceAction } from './createServiceAction';

jest.setTimeout(240_000);

// container-cloud:service:create end to end on the local cloud: the scaffolder action and the
// actions-registry action, as the guest (an owner of payments-api) and as bob (not an owner).
const lc = useLocalCloud({ namespacePrefix: 'scaffold' });

describe('container-cloud:service:create on the local cloud', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        paymentsServicePlacedIn('payments-api', clusters, lc.namespace),
      ],
      // the MCP server over the actions registry, as packages/backend has it
      features: [mcpActionsPlugin],
    });
  });

  afterAll(() => suite?.backend.stop());

  const input = (name: string) => ({
    entityRef: 'component:default/payments-api',
    name,
    image: 'registry.example.com/payments/web:1.0.0',
    port: 8080,
    readinessProbe: { path: '/healthz', port: 8080 },
    placements: [
      { cluster: clusters[0], namespace: lc.namespace, replicas: 2 },
      { cluster: clusters[1], namespace: lc.namespace },
    ],
  });

  function context(
    user: string,
    actionInput: object,
    isDryRun = false,
  ): ReturnType<typeof createMockActionContext> {
    return {
      ...createMockActionContext({ input: actionInput as any }),
      isDryRun,
      getInitiatorCredentials: async () => mockCredentials.user(user),
    };
  }

  const deploymentIn = (cluster: LocalCloudClusterName, name: string) =>
    lc
      .kubeConfig(cluster)
      .makeApiClient(AppsV1Api)
      .readNamespacedDeployment({ namespace: lc.namespace, name })
      .catch(() => undefined);

  async function ready(cluster: LocalCloudClusterName, name: string) {
    for (let i = 0; i < 240; i++) {
      const d = await deploymentIn(cluster, name);
      const wanted = d?.spec?.replicas ?? 1;
      if (d && (d.status?.readyReplicas ?? 0) === wanted) return d;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
    throw new Error(`deployment ${name} in ${cluster} never became Ready`);
  }

  it('as the guest: a dry run reports, a run creates in both clusters (Ready), a re-run changes nothing', async () => {
    const action = scaffolderAction(createServiceAction, suite.deps);

    const dry = context(GUEST, input('web'), true);
    await action.handler(dry as any);
    expect(dry.output).toHaveBeenCalledWith('results', [
      expect.objectContaining({
        cluster: clusters[0],
        outcome: 'would-create',
      }),
      expect.objectContaining({
        cluster: clusters[1],
        outcome: 'would-create',
      }),
    ]);
    expect(await deploymentIn(clusters[0], 'web')).toBeUndefined();

    const run = context(GUEST, input('web'));
    await action.handler(run as any);
    expect(run.output).toHaveBeenCalledWith(
      'serviceUrl',
      'http://localhost:3000/catalog/default/component/payments-api/service',
    );
    expect(run.output).toHaveBeenCalledWith('results', [
      expect.objectContaining({ cluster: clusters[0], outcome: 'created' }),
      expect.objectContaining({ cluster: clusters[1], outcome: 'created' }),
    ]);
    expect((await ready(clusters[0], 'web')).status?.readyReplicas).toBe(2);
    expect((await ready(clusters[1], 'web')).status?.readyReplicas).toBe(1);

    const again = context(GUEST, input('web'));
    await action.handler(again as any);
    expect(again.output).toHaveBeenCalledWith('results', [
      expect.objectContaining({ outcome: 'unchanged' }),
      expect.objectContaining({ outcome: 'unchanged' }),
    ]);

    // another image under the same name: the step fails with the backend's 409, nothing changes
    const other = context(GUEST, {
      ...input('web'),
      image: 'registry.example.com/payments/web:2.0.0',
    });
    await expect(action.handler(other as any)).rejects.toThrow(
      /exists with another spec \(image/,
    );
    expect(
      (await deploymentIn(clusters[0], 'web'))?.spec?.template?.spec
        ?.containers[0].image,
    ).toBe('registry.example.com/payments/web:1.0.0');
  });

  it('as a user without the permission: the step fails with the backend’s words, nothing created', async () => {
    const action = scaffolderAction(createServiceAction, suite.deps);
    const ctx = context(BOB, input('refused'));
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'only its owners and ops admins may',
    );
    expect(await deploymentIn(clusters[0], 'refused')).toBeUndefined();
    expect(await deploymentIn(clusters[1], 'refused')).toBeUndefined();
  });

  it('fails the step with a 400 naming the field, before anything is created', async () => {
    const action = scaffolderAction(createServiceAction, suite.deps);
    const ctx = context(GUEST, { ...input('badport'), port: 70000 });
    await expect(action.handler(ctx as any)).rejects.toThrow(
      'port: port is 1 to 65535',
    );
    expect(await deploymentIn(clusters[0], 'badport')).toBeUndefined();
  });

  describe('through the actions registry (what MCP clients call)', () => {
    const ACTION = 'scaffolder:container-cloud-service-create';
    const api = () => request(suite.backend.server);

    it('lists the suite’s actions with their schemas', async () => {
      const res = await api()
        .get('/api/scaffolder/.backstage/actions/v1/actions')
        .set('Authorization', mockCredentials.user.header(GUEST));
      expect(res.status).toBe(200);
      const ids = res.body.actions.map((a: { id: string }) => a.id);
      expect(ids).toEqual(
        expect.arrayContaining([
          ACTION,
          'scaffolder:container-cloud-nginx-domain-create',
          'scaffolder:container-cloud-storage-volume-create',
          'scaffolder:container-cloud-storage-config-create',
        ]),
      );
      const create = res.body.actions.find(
        (a: { id: string }) => a.id === ACTION,
      );
      expect(Object.keys(create.schema.input.properties)).toEqual(
        expect.arrayContaining(['entityRef', 'image', 'placements', 'dryRun']),
      );
    });

    it('runs it as the guest', async () => {
      const res = await api()
        .post(`/api/scaffolder/.backstage/actions/v1/actions/${ACTION}/invoke`)
        .set('Authorization', mockCredentials.user.header(GUEST))
        .send(input('mcp'));
      expect(res.status).toBe(200);
      expect(res.body.output.results).toEqual([
        expect.objectContaining({ cluster: clusters[0], outcome: 'created' }),
        expect.objectContaining({ cluster: clusters[1], outcome: 'created' }),
      ]);
      expect(await deploymentIn(clusters[1], 'mcp')).toBeDefined();
    });

    it('refuses a user without the permission, and creates nothing', async () => {
      const res = await api()
        .post(`/api/scaffolder/.backstage/actions/v1/actions/${ACTION}/invoke`)
        .set('Authorization', mockCredentials.user.header(BOB))
        .send(input('mcp-refused'));
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'only its owners and ops admins may',
      );
      expect(await deploymentIn(clusters[0], 'mcp-refused')).toBeUndefined();
    });

    it('refuses a request without identity', async () => {
      const res = await api()
        .post(`/api/scaffolder/.backstage/actions/v1/actions/${ACTION}/invoke`)
        .send(input('mcp-anonymous'));
      expect(res.status).toBe(401);
    });
  });
  describe('through the MCP server (mcp-actions-backend)', () => {
    const TOOL = 'scaffolder.container-cloud-service-create';

    /** One JSON-RPC call to the stateless MCP endpoint; its answer comes as one SSE event. */
    async function mcp(user: string, method: string, params: object) {
      const res = await request(suite.backend.server)
        .post('/api/mcp-actions/v1')
        .set('Authorization', mockCredentials.user.header(user))
        .set('Accept', 'application/json, text/event-stream')
        .send({ jsonrpc: '2.0', id: 1, method, params });
      expect(res.status).toBe(200);
      const data = res.text.split('\n').find(line => line.startsWith('data: '));
      return JSON.parse(data!.slice('data: '.length)).result;
    }

    it('lists the suite’s operations as tools', async () => {
      const { tools } = await mcp(GUEST, 'tools/list', {});
      expect(tools.map((t: { name: string }) => t.name)).toEqual(
        expect.arrayContaining([
          TOOL,
          'scaffolder.container-cloud-nginx-domain-create',
          'scaffolder.container-cloud-storage-volume-create',
          'scaffolder.container-cloud-storage-config-create',
        ]),
      );
    });

    it('calls the tool as the guest (a dry run), and as a user without the permission (refused)', async () => {
      const allowed = await mcp(GUEST, 'tools/call', {
        name: TOOL,
        arguments: { ...input('mcp-tool'), dryRun: true },
      });
      expect(allowed.isError).toBeFalsy();
      expect(JSON.stringify(allowed.content)).toContain('would-create');

      const refused = await mcp(BOB, 'tools/call', {
        name: TOOL,
        arguments: input('mcp-tool'),
      });
      expect(refused.isError).toBe(true);
      expect(JSON.stringify(refused.content)).toContain(
        'only its owners and ops admins may',
      );
      expect(await deploymentIn(clusters[0], 'mcp-tool')).toBeUndefined();
    });
  });
});
