import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { FIXTURES_ORIGIN } from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import {
  BOB,
  GUEST,
  localCloudClusters,
  paymentsServicePlacedIn,
  runSuiteAction,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { checkNewServiceAction } from './checkNewServiceAction';
import { createServiceAction } from './createServiceAction';

jest.setTimeout(240_000);

// container-cloud:service:check-new against the real services backend (its deploy-targets check),
// catalog and policy on the local cloud: team-payments may run services in this file's namespace
// of both clusters. As the guest (team-payments) and as bob (team-orders); as a scaffolder action
// and through the actions registry.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-check' });

describe('container-cloud:service:check-new on the local cloud', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        paymentsServicePlacedIn('payments-api', clusters, lc.namespace),
      ],
      containerCloud: {
        binding: {
          trustedOrigins: [FIXTURES_ORIGIN],
          teamPlacements: {
            'group:default/team-payments': [`*/${lc.namespace}`],
          },
        },
      },
    });
  });

  afterAll(() => suite?.backend.stop());

  const placements = () =>
    clusters.map(cluster => ({ cluster, namespace: lc.namespace }));

  const run = (
    action: typeof checkNewServiceAction | typeof createServiceAction,
    user: string,
    input: object,
    isDryRun = false,
  ) => runSuiteAction(suite.deps, action, user, input, isDryRun);

  it('as the guest: a new name would be created everywhere; the dry run asks the same', async () => {
    const input = {
      name: 'payments-ledger',
      owner: 'group:default/team-payments',
      placements: placements(),
    };
    for (const dryRun of [false, true]) {
      const { outputs, logs } = await run(
        checkNewServiceAction,
        GUEST,
        input,
        dryRun,
      );
      expect(outputs).toEqual({
        entityRef: 'component:default/payments-ledger',
        entity: 'absent',
        placements: placements().map(p => ({ ...p, outcome: 'would-create' })),
      });
      expect(logs).toContain(
        `${clusters[0]}/${lc.namespace}: would create deployment payments-ledger`,
      );
    }
  });

  it('finds what an earlier run made: the entity, and the Deployment where it was created', async () => {
    await run(createServiceAction, GUEST, {
      entityRef: 'component:default/payments-api',
      image: 'registry.example.com/payments/api:1.0.0',
      port: 8080,
      placements: [{ cluster: clusters[0], namespace: lc.namespace }],
    });
    const { outputs, logs } = await run(checkNewServiceAction, GUEST, {
      name: 'payments-api',
      owner: 'group:default/team-payments',
      placements: placements(),
    });
    expect(outputs.entity).toBe('exists');
    expect(outputs.placements).toEqual([
      { cluster: clusters[0], namespace: lc.namespace, outcome: 'exists' },
      {
        cluster: clusters[1],
        namespace: lc.namespace,
        outcome: 'would-create',
      },
    ]);
    expect(logs).toEqual([
      'component:default/payments-api: exists: made by an earlier run (owner group:default/team-payments); it is used as it is',
      `${clusters[0]}/${lc.namespace}: deployment payments-api exists: made by an earlier run`,
      `${clusters[1]}/${lc.namespace}: would create deployment payments-api`,
    ]);
  });

  it('fails with the 409 in words when another service has a Deployment of that name', async () => {
    await lc
      .kubeConfig(clusters[1])
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: {
          metadata: {
            name: 'payments-taken',
            labels: { 'backstage.io/kubernetes-id': 'orders-api' },
          },
          spec: {
            replicas: 0,
            selector: { matchLabels: { app: 'payments-taken' } },
            template: {
              metadata: { labels: { app: 'payments-taken' } },
              spec: { containers: [{ name: 'app', image: 'busybox:1' }] },
            },
          },
        },
      });
    await expect(
      run(checkNewServiceAction, GUEST, {
        name: 'payments-taken',
        owner: 'group:default/team-payments',
        placements: placements(),
      }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        `the name 'payments-taken' is taken in namespace '${lc.namespace}' of cluster ${clusters[1]}`,
      ),
    });
  });

  it('fails bob’s step with the 403 in words: he is not in team-payments', async () => {
    await expect(
      run(checkNewServiceAction, BOB, {
        name: 'payments-ledger',
        owner: 'group:default/team-payments',
        placements: placements(),
      }),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'you are not a member of group:default/team-payments',
      ),
    });
  });

  describe('through the actions registry (what MCP clients call)', () => {
    const ACTION = 'scaffolder:container-cloud-service-check-new';
    const invoke = (user: string, body: object) =>
      request(suite.backend.server)
        .post(`/api/scaffolder/.backstage/actions/v1/actions/${ACTION}/invoke`)
        .set('Authorization', mockCredentials.user.header(user))
        .send(body);

    it('is listed, runs as the guest and refuses bob in words', async () => {
      const listed = await request(suite.backend.server)
        .get('/api/scaffolder/.backstage/actions/v1/actions')
        .set('Authorization', mockCredentials.user.header(GUEST));
      const action = listed.body.actions.find(
        (a: { id: string }) => a.id === ACTION,
      );
      expect(Object.keys(action.schema.input.properties)).toEqual(
        expect.arrayContaining(['name', 'owner', 'placements', 'dryRun']),
      );
      const body = {
        name: 'payments-ledger',
        owner: 'group:default/team-payments',
        placements: placements(),
      };
      const guest = await invoke(GUEST, body);
      expect(guest.status).toBe(200);
      expect(guest.body.output.entity).toBe('absent');
      const bob = await invoke(BOB, body);
      expect(bob.status).toBe(403);
      expect(bob.body.error.message).toContain(
        'you are not a member of group:default/team-payments',
      );
    });
  });
});
