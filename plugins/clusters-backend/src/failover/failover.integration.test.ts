import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import type {
  FailoverPreview,
  FailoverRun,
} from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  RecordedAuditEvent,
  recordingAuditor,
  relay,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { serviceDeployment } from '../clusters/__testUtils__/serviceDeployment';
import {
  CAROL,
  clusterLocators,
  poll,
  startClustersBackend,
} from '../clusters/__testUtils__/startClustersBackend';

jest.setTimeout(900_000);

// local-b is cut off from the portal (a loopback relay, as the services outage test does) and
// its services are failed over to local-a. The first backend is stopped mid-run, as a crash
// would stop it; a second one on the same database resumes the run from its record.
const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});
const lc = useLocalCloud({ namespacePrefix: 'failover' });
const OPS = () => mockCredentials.user.header(CAROL);

describe.each(databases.eachSupportedId())(
  'failover of a cluster cut off from the portal, on %s',
  databaseId => {
    // each database's run moves its own services, in the one namespace of this file
    const tag = databaseId === 'SQLITE_3' ? 'lite' : 'pg';
    const MOVED = [`fo-alpha-${tag}`, `fo-beta-${tag}`, `fo-gamma-${tag}`];
    const PINNED = `fo-pinned-${tag}`; // its placements leave local-a out
    const CONFIGURED = `fo-conf-${tag}`; // reads a ConfigMap

    const apps = (cluster: 'local-a' | 'local-b') =>
      lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
    let toB: ReturnType<typeof relay>;
    let knex: Awaited<ReturnType<typeof databases.init>>;
    const backends: Array<Awaited<ReturnType<typeof startClustersBackend>>> =
      [];
    const audit: RecordedAuditEvent[] = [];

    const replicasOf = async (cluster: 'local-a' | 'local-b', name: string) => {
      try {
        const d = await apps(cluster).readNamespacedDeployment({
          namespace: lc.namespace,
          name,
        });
        return d.spec?.replicas ?? 0;
      } catch {
        return 0;
      }
    };
    const totals = async () =>
      Object.fromEntries(
        await Promise.all(
          [...MOVED, PINNED].map(async name => [
            name,
            (await replicasOf('local-a', name)) +
              (await replicasOf('local-b', name)),
          ]),
        ),
      );

    const start = () =>
      startClustersBackend({
        knex,
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
            failover: { readinessTimeoutSeconds: 120, concurrency: 2 },
            health: { alertmanager: false },
          },
        },
        entities: [
          ...[...MOVED, CONFIGURED].map(name =>
            serviceEntity(name, 'group:default/team-payments'),
          ),
          serviceEntity(PINNED, 'group:default/team-payments', {
            'container-cloud.io/placements': `local-b/${lc.namespace}`,
          }),
        ],
        features: [recordingAuditor(audit)],
      });

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      for (const [i, name] of [...MOVED, PINNED].entries()) {
        await apps('local-b').createNamespacedDeployment({
          namespace: lc.namespace,
          body: serviceDeployment({
            namespace: lc.namespace,
            name,
            replicas: 1 + (i % 2),
          }),
        });
      }
      // one service already runs a replica in the target: the target gets both
      await apps('local-a').createNamespacedDeployment({
        namespace: lc.namespace,
        body: serviceDeployment({
          namespace: lc.namespace,
          name: MOVED[0],
          replicas: 1,
        }),
      });
      const bUrl = new URL(
        lc.info.clusters.find(c => c.name === 'local-b')!.url,
      );
      toB = relay({ host: bUrl.hostname, port: Number(bUrl.port) });
      await toB.listen();
    });

    afterAll(async () => {
      for (const backend of backends) await backend.stop().catch(() => {});
      await toB?.cut();
    });

    it('moves every service the bindings allow, resumes after a crash, and keeps every replica count', async () => {
      const before = await totals();
      backends.push(await start());
      const first = backends[0];
      const get = (path: string, backend = first) =>
        request(backend.server)
          .get(`/api/clusters${path}`)
          .set('Authorization', OPS());

      // the portal sees local-b's services, then loses local-b
      await poll('local-b listing the services', async () => {
        const res = await get('/clusters');
        const b = res.body.items?.find(
          (c: { name: string }) => c.name === 'local-b',
        );
        const ids =
          b?.services.map((s: { kubernetesId: string }) => s.kubernetesId) ??
          [];
        return [...MOVED, PINNED].every(id => ids.includes(id)) ? b : undefined;
      });
      await toB.cut();
      await poll('local-b reported unreachable', async () => {
        const res = await get('/clusters');
        const b = res.body.items.find(
          (c: { name: string }) => c.name === 'local-b',
        );
        return b.reachable ? undefined : b;
      });

      const ids = [...MOVED, PINNED].join(',');
      const preview: FailoverPreview = (
        await get(
          `/failover/preview?source=local-b&target=local-a&services=${ids}`,
        )
      ).body;
      expect(preview.targetChosenBy).toBe('operator');
      const actions = Object.fromEntries(
        preview.services.map(s => [s.kubernetesId, s.action]),
      );
      expect(actions).toEqual({
        [MOVED[0]]: 'move',
        [MOVED[1]]: 'move',
        [MOVED[2]]: 'move',
        [PINNED]: 'skip',
      });
      expect(
        preview.services.find(s => s.kubernetesId === PINNED)!.reason,
      ).toContain(`do not include local-a/${lc.namespace}`);
      expect(
        preview.services.find(s => s.kubernetesId === MOVED[0])!.targetReplicas,
      ).toBe(1);
      expect(preview.targetAfter.requested.cpuCores).toBeGreaterThan(
        preview.targetBefore.requested.cpuCores,
      );
      expect(preview.warnings.join(' ')).toContain('local-b is unreachable');

      const started = await request(first.server)
        .post('/api/clusters/failover/runs')
        .set('Authorization', OPS())
        .send({
          source: 'local-b',
          target: 'local-a',
          services: [...MOVED, PINNED],
        });
      expect(started.status).toBe(201);
      const runId: string = started.body.id;
      expect(
        Object.fromEntries(
          started.body.steps.map((s: any) => [s.kubernetesId, s.state]),
        ),
      ).toEqual({
        [MOVED[0]]: 'pending',
        [MOVED[1]]: 'pending',
        [MOVED[2]]: 'pending',
        [PINNED]: 'skipped',
      });

      // a second run off the same cluster is a 409 with the first one as it is now
      const twice = await request(first.server)
        .post('/api/clusters/failover/runs')
        .set('Authorization', OPS())
        .send({ source: 'local-b', target: 'local-a', services: MOVED });
      expect(twice.status).toBe(409);
      expect(twice.body.current.id).toBe(runId);

      // the first backend goes away once the run is under way
      await poll(
        'a service scaling up in local-a',
        async () => {
          const run: FailoverRun = (await get(`/failover/runs/${runId}`)).body;
          return run.steps.some(
            s => s.state !== 'pending' && s.state !== 'skipped',
          )
            ? run
            : undefined;
        },
        { intervalMs: 100, attempts: 1200 },
      );
      await first.stop();
      const left = await knex('clusters_failover_steps')
        .where({ run_id: runId })
        .select('state');
      expect(left.map(s => s.state)).not.toEqual(
        expect.arrayContaining(['scaled-down']),
      );

      // a new backend on the same database continues the run from its record
      backends.push(await start());
      const second = backends[1];
      const waiting = await poll(
        'every moved service ready in local-a, local-b still away',
        async () => {
          const run: FailoverRun = (
            await get(`/failover/runs/${runId}`, second)
          ).body;
          const moved = run.steps.filter(s => s.kubernetesId !== PINNED);
          return moved.every(
            s =>
              s.state === 'ready' &&
              s.reason?.startsWith('waiting to scale down in local-b'),
          )
            ? run
            : undefined;
        },
      );
      for (const step of waiting.steps.filter(s => s.kubernetesId !== PINNED)) {
        const d = await apps('local-a').readNamespacedDeployment({
          namespace: lc.namespace,
          name: step.kubernetesId,
        });
        expect({
          name: step.kubernetesId,
          replicas: d.spec?.replicas,
          ready: d.status?.readyReplicas,
        }).toEqual({
          name: step.kubernetesId,
          replicas: step.targetReplicas,
          ready: step.targetReplicas,
        });
      }

      // stop and resume through the API
      const stop = await request(second.server)
        .post(`/api/clusters/failover/runs/${runId}/stop`)
        .set('Authorization', OPS());
      expect(stop.status).toBe(200);
      expect(['stopping', 'stopped']).toContain(stop.body.state);
      await poll('the run stopped', async () => {
        const run: FailoverRun = (await get(`/failover/runs/${runId}`, second))
          .body;
        return run.state === 'stopped' ? run : undefined;
      });
      const stopAgain = await request(second.server)
        .post(`/api/clusters/failover/runs/${runId}/stop`)
        .set('Authorization', OPS());
      expect(stopAgain.status).toBe(409);
      expect(stopAgain.body.current.state).toBe('stopped');

      // local-b comes back; resumed, the run scales its copies down
      await toB.listen();
      const resume = await request(second.server)
        .post(`/api/clusters/failover/runs/${runId}/resume`)
        .set('Authorization', OPS());
      expect(resume.status).toBe(200);
      const done = await poll('the run done', async () => {
        const run: FailoverRun = (await get(`/failover/runs/${runId}`, second))
          .body;
        return run.state === 'done' ? run : undefined;
      });
      expect(
        Object.fromEntries(done.steps.map(s => [s.kubernetesId, s.state])),
      ).toEqual({
        [MOVED[0]]: 'scaled-down',
        [MOVED[1]]: 'scaled-down',
        [MOVED[2]]: 'scaled-down',
        [PINNED]: 'skipped',
      });
      for (const name of MOVED)
        expect(await replicasOf('local-b', name)).toBe(0);
      expect(await replicasOf('local-b', PINNED)).toBeGreaterThan(0);
      expect(await totals()).toEqual(before);

      // every step is audited once, with who started the run
      const steps = audit.filter(
        e => e.eventId === 'cluster-failover-step' && e.meta?.runId === runId,
      );
      for (const name of MOVED) {
        expect(
          steps.filter(e => e.meta?.kubernetesId === name).map(e => e.meta?.to),
        ).toEqual(['scaling-up', 'ready', 'scaled-down']);
      }
      expect(steps.every(e => e.meta?.startedBy === CAROL)).toBe(true);
      expect(
        audit.filter(
          e =>
            e.eventId === 'cluster-failover-start' && e.outcome === 'success',
        ),
      ).toHaveLength(1);
    });

    it('creates the ConfigMaps a moved service reads in the target, from a source that answers', async () => {
      const core = (cluster: 'local-a' | 'local-b') =>
        lc.kubeConfig(cluster).makeApiClient(CoreV1Api);
      await core('local-b').createNamespacedConfigMap({
        namespace: lc.namespace,
        body: {
          metadata: { name: CONFIGURED, namespace: lc.namespace },
          data: { GREETING: 'hello from local-b' },
        },
      });
      const body = serviceDeployment({
        namespace: lc.namespace,
        name: CONFIGURED,
        replicas: 2,
      });
      const container = body.spec.template.spec.containers[0];
      body.spec.template.spec.containers[0] = Object.assign(container, {
        envFrom: [{ configMapRef: { name: CONFIGURED } }],
      });
      await apps('local-b').createNamespacedDeployment({
        namespace: lc.namespace,
        body,
      });
      const backend = backends[backends.length - 1];
      await poll('local-b answering, with the new service', async () => {
        const res = await request(backend.server)
          .get('/api/clusters/clusters/local-b')
          .set('Authorization', OPS());
        return res.body.cluster?.reachable &&
          res.body.cluster.services.some(
            (x: { kubernetesId: string }) => x.kubernetesId === CONFIGURED,
          )
          ? res.body
          : undefined;
      });
      const started = await request(backend.server)
        .post('/api/clusters/failover/runs')
        .set('Authorization', OPS())
        .send({
          source: 'local-b',
          target: 'local-a',
          services: [CONFIGURED],
        });
      expect(started.status).toBe(201);
      const done = await poll('the run done', async () => {
        const res = await request(backend.server)
          .get(`/api/clusters/failover/runs/${started.body.id}`)
          .set('Authorization', OPS());
        return res.body.state === 'done'
          ? (res.body as FailoverRun)
          : undefined;
      });
      expect(done.steps.map(x => x.state)).toEqual(['scaled-down']);
      expect(done.steps[0].reason).toBe('scaled to 0 in local-b');
      const map = await core('local-a').readNamespacedConfigMap({
        namespace: lc.namespace,
        name: CONFIGURED,
      });
      expect(map.data).toEqual({ GREETING: 'hello from local-b' });
      expect(await replicasOf('local-a', CONFIGURED)).toBe(2);
      expect(await replicasOf('local-b', CONFIGURED)).toBe(0);
      const scaledUp = audit.find(
        e => e.meta?.kubernetesId === CONFIGURED && e.meta?.to === 'scaling-up',
      );
      expect(scaledUp?.meta?.reason).toBe(
        `created in local-a to 2 replica(s), with ConfigMap(s) ${CONFIGURED}`,
      );
    });
  },
);
