import { mockCredentials } from '@backstage/backend-test-utils';
import type { ClusterSummary } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { relay } from '@internal/plugin-container-cloud-node/testing';
import {
  CAROL,
  clusterLocators,
  poll,
  sqlite,
  startClustersBackend,
} from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(300_000);

// The health controller runs under the scheduler of a real backend; local-b is cut off through a
// loopback relay, as the services outage test does.
const lc = useLocalCloud({ namespacePrefix: 'clusters-health' });
const WINDOW_SECONDS = 4;

describe('the cluster health controller', () => {
  let backend: Awaited<ReturnType<typeof startClustersBackend>>;
  let toB: ReturnType<typeof relay>;
  const audit: RecordedAuditEvent[] = [];

  beforeAll(async () => {
    const bUrl = new URL(lc.info.clusters.find(c => c.name === 'local-b')!.url);
    toB = relay({ host: bUrl.hostname, port: Number(bUrl.port) });
    await toB.listen();
    backend = await startClustersBackend({
      knex: sqlite(),
      clusters: clusterLocators(
        lc.info.clusters.map(c =>
          c.name === 'local-b'
            ? { ...c, url: `https://127.0.0.1:${toB.port}` }
            : c,
        ),
      ),
      containerCloud: {
        clusters: {
          healthProbeSeconds: 1,
          health: {
            checkIntervalSeconds: 1,
            unhealthyAfterSeconds: WINDOW_SECONDS,
            healthyAfterSeconds: 2,
            alertmanager: false,
          },
        },
      },
      features: [recordingAuditor(audit)],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await toB?.cut();
  });

  const clusterB = async (): Promise<ClusterSummary> => {
    const res = await request(backend.server)
      .get('/api/clusters/clusters')
      .set('Authorization', mockCredentials.user.header(CAROL));
    expect(res.status).toBe(200);
    return res.body.items.find((c: ClusterSummary) => c.name === 'local-b');
  };

  it('marks a cluster cut off unhealthy after the window, since when and why, and healthy once it is back', async () => {
    await poll('local-b healthy', async () => {
      const b = await clusterB();
      return b.reachable && b.verdict.state === 'healthy' ? b : undefined;
    });

    await toB.cut();
    const cutAt = Date.now();
    // first seen in trouble, not yet unhealthy: the window runs
    const troubled = await poll(
      'local-b in trouble',
      async () => {
        const b = await clusterB();
        return b.verdict.troubledSince || b.verdict.state === 'unhealthy'
          ? b
          : undefined;
      },
      { intervalMs: 200 },
    );
    // while the window runs the verdict says what is wrong; once unhealthy, why
    expect(troubled.verdict.reason).toMatch(/^unreachable: /);

    const down = await poll('local-b unhealthy', async () => {
      const b = await clusterB();
      return b.verdict.state === 'unhealthy' ? b : undefined;
    });
    expect(down.verdict.reason).toMatch(/^unreachable: /);
    // it became unhealthy once the trouble had lasted the window, and says since when
    const since = Date.parse(down.verdict.since!);
    expect(since).toBeGreaterThanOrEqual(cutAt - 2000);
    expect(Date.parse(down.verdict.checkedAt!) - since).toBeGreaterThanOrEqual(
      WINDOW_SECONDS * 1000,
    );
    const a = (
      await request(backend.server)
        .get('/api/clusters/clusters/local-a')
        .set('Authorization', mockCredentials.user.header(CAROL))
    ).body.cluster as ClusterSummary;
    expect(a.verdict.state).toBe('healthy');

    await toB.listen();
    const back = await poll('local-b healthy again', async () => {
      const b = await clusterB();
      return b.verdict.state === 'healthy' ? b : undefined;
    });
    expect(back.verdict.reason).toBeNull();
    expect(Date.parse(back.verdict.since!)).toBeGreaterThan(since);

    const changes = audit.filter(
      e =>
        e.eventId === 'cluster-health-change' && e.meta?.cluster === 'local-b',
    );
    expect(changes.map(e => e.meta?.state)).toEqual(['unhealthy', 'healthy']);
  });
});
