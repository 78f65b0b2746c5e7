import { mockCredentials } from '@backstage/backend-test-utils';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
// the real codeflow backend, which the action calls over HTTP as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import codeflowPlugin from '@internal/plugin-codeflow-backend';
import request from 'supertest';
import {
  BOB,
  GUEST,
  localCloudClusters,
  paymentsServicePlacedIn,
  runSuiteAction,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { codeflowCreateAction } from './codeflowCreateAction';
import { createServiceAction } from './createServiceAction';

jest.setTimeout(240_000);

// The Node.js template's service and codeflow steps on the local cloud: the service created in
// both clusters, then its codeflow whose targets are those placements (the codeflow backend checks
// each against the service's binding on the real clusters).
const lc = useLocalCloud({ namespacePrefix: 'scaffold-codeflow' });

describe('container-cloud:codeflow:create on the local cloud', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        paymentsServicePlacedIn('payments-api', clusters, lc.namespace),
      ],
      features: [codeflowPlugin],
      containerCloud: {
        codeflow: { imageRegistry: 'registry.example.com/mirror' },
      },
    });
  });

  afterAll(() => suite?.backend.stop());

  const run = async (
    action: typeof codeflowCreateAction | typeof createServiceAction,
    user: string,
    input: object,
  ) => (await runSuiteAction(suite.deps, action, user, input)).outputs;

  const placements = () =>
    clusters.map(cluster => ({ cluster, namespace: lc.namespace }));
  const definition = (name: string, targetPlacements = placements()) => ({
    entityRef: 'component:default/payments-api',
    name,
    repositoryUrl: 'http://127.0.0.1:16498/payments-api.git',
    credentials: null,
    buildImage: 'node-22',
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    startCommand: ['node', 'server.js'],
    port: 8080,
    targets: [
      {
        service: 'component:default/payments-api',
        environment: 'test',
        placements: targetPlacements,
      },
    ],
  });

  async function names() {
    const res = await request(suite.backend.server)
      .get('/api/codeflow/services/default/payments-api/codeflows')
      .set('Authorization', mockCredentials.user.header(GUEST));
    return res.body.items.map((c: { name: string }) => c.name);
  }

  it('creates the service, then its codeflow rolling to those placements; a re-run changes nothing', async () => {
    const service = await run(createServiceAction, GUEST, {
      entityRef: 'component:default/payments-api',
      image: 'registry.example.com/mirror/node:22-slim',
      port: 8080,
      placements: placements(),
      readinessProbe: { path: '/healthz', port: 8080 },
    });
    expect(service.results.map((r: { outcome: string }) => r.outcome)).toEqual([
      'created',
      'created',
    ]);
    const created = await run(
      codeflowCreateAction,
      GUEST,
      definition('build-and-deploy'),
    );
    expect(created).toMatchObject({ outcome: 'created', created: true });
    const again = await run(
      codeflowCreateAction,
      GUEST,
      definition('build-and-deploy'),
    );
    expect(again).toMatchObject({
      id: created.id,
      outcome: 'unchanged',
      created: false,
    });
  });

  it('a target outside the service’s binding fails with the backend’s 400 naming it, nothing saved', async () => {
    await expect(
      run(
        codeflowCreateAction,
        GUEST,
        definition('outside', [
          { cluster: clusters[0], namespace: 'kube-system' },
        ]),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('targets.0.placements.0'),
    });
    expect(await names()).not.toContain('outside');
  });

  it('bob (another team) is refused in the backend’s words, nothing saved', async () => {
    await expect(
      run(codeflowCreateAction, BOB, definition('bobs')),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining('only its owners and ops admins may'),
    });
    expect(await names()).not.toContain('bobs');
  });
});
