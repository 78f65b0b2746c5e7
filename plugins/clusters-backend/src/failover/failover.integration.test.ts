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
    // as payments-api in the seed: a volume on the NFS export, config files, and a Secret
    const STORED = `fo-store-${tag}`;
    // a claim of a storage type local-a does not have
    const ODD = `fo-odd-${tag}`;
    const PASSWORD = `s3cret-${tag}-${Date.now()}`;

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
          // the storage module's types: nfs and standard in both, one more in local-b only
          storage: {
            volumes: {
              clusters: ['local-a', 'local-b'].map(cluster => ({
                cluster,
                types: [
                  {
                    name: 'nfs',
                    nfs: {
                      server: 'nfs.local-cloud.test',
                      basePath: `/exports/${cluster}`,
                    },
                  },
                  { name: 'standard', storageClass: 'local-cloud-standard' },
                  ...(cluster === 'local-b'
                    ? [{ name: 'b-only', storageClass: 'local-cloud-standard' }]
                    : []),
                ],
              })),
            },
          },
        },
        entities: [
          ...[...MOVED, CONFIGURED, STORED, ODD].map(name =>
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
      // PersistentVolumes are not in the namespace the local cloud's helper removes
      for (const cluster of ['local-a', 'local-b'] as const) {
        await lc
          .kubeConfig(cluster)
          .makeApiClient(CoreV1Api)
          .deletePersistentVolume({
            name: `cc-nfs-${lc.namespace}-${STORED}-data`,
          })
          .catch(() => {});
      }
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
    it('carries the Secrets and the storage module’s claims of a moved service, and skips one whose storage type the target lacks', async () => {
      const core = (cluster: 'local-a' | 'local-b') =>
        lc.kubeConfig(cluster).makeApiClient(CoreV1Api);
      const ns = lc.namespace;
      const claim = `${STORED}-data`;
      const labels = (id: string, type: string) => ({
        'backstage.io/kubernetes-id': id,
        'container-cloud.io/storage-type': type,
      });
      // what the storage module and the seed make: a static NFS volume bound to its claim
      await core('local-b').createPersistentVolume({
        body: {
          metadata: {
            name: `cc-nfs-${ns}-${claim}`,
            labels: labels(STORED, 'nfs'),
          },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteMany'],
            persistentVolumeReclaimPolicy: 'Retain',
            storageClassName: '',
            nfs: {
              server: 'nfs.local-cloud.test',
              path: `/exports/local-b/${ns}/${claim}`,
            },
            claimRef: { namespace: ns, name: claim },
          },
        },
      });
      await core('local-b').createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: {
          metadata: {
            name: claim,
            namespace: ns,
            labels: labels(STORED, 'nfs'),
          },
          spec: {
            accessModes: ['ReadWriteMany'],
            storageClassName: '',
            volumeName: `cc-nfs-${ns}-${claim}`,
            resources: { requests: { storage: '1Gi' } },
          },
        },
      });
      await core('local-b').createNamespacedPersistentVolumeClaim({
        namespace: ns,
        body: {
          metadata: {
            name: `${ODD}-data`,
            namespace: ns,
            labels: labels(ODD, 'b-only'),
          },
          spec: {
            accessModes: ['ReadWriteOnce'],
            storageClassName: 'local-cloud-standard',
            resources: { requests: { storage: '1Gi' } },
          },
        },
      });
      await core('local-b').createNamespacedConfigMap({
        namespace: ns,
        body: {
          metadata: { name: `${STORED}-app-config`, namespace: ns },
          data: { 'application.yaml': 'server:\n  port: 8080\n' },
        },
      });
      await core('local-b').createNamespacedSecret({
        namespace: ns,
        body: {
          metadata: { name: `${STORED}-db`, namespace: ns },
          stringData: { password: PASSWORD },
        },
      });
      await core('local-b').createNamespacedSecret({
        namespace: ns,
        body: {
          metadata: { name: `${STORED}-pull`, namespace: ns },
          type: 'kubernetes.io/dockerconfigjson',
          stringData: { '.dockerconfigjson': '{"auths":{}}' },
        },
      });
      const stored = serviceDeployment({
        namespace: ns,
        name: STORED,
        replicas: 2,
      });
      const pod = stored.spec.template.spec as any;
      pod.imagePullSecrets = [{ name: `${STORED}-pull` }];
      pod.volumes = [
        { name: 'data', persistentVolumeClaim: { claimName: claim } },
        { name: 'conf', configMap: { name: `${STORED}-app-config` } },
      ];
      Object.assign(pod.containers[0], {
        envFrom: [{ secretRef: { name: `${STORED}-db` } }],
        volumeMounts: [
          { name: 'data', mountPath: '/data' },
          { name: 'conf', mountPath: '/config' },
        ],
      });
      const odd = serviceDeployment({ namespace: ns, name: ODD, replicas: 1 });
      (odd.spec.template.spec as any).volumes = [
        { name: 'data', persistentVolumeClaim: { claimName: `${ODD}-data` } },
      ];
      await apps('local-b').createNamespacedDeployment({
        namespace: ns,
        body: stored,
      });
      await apps('local-b').createNamespacedDeployment({
        namespace: ns,
        body: odd,
      });

      const backend = backends[backends.length - 1];
      const get = (path: string) =>
        request(backend.server)
          .get(`/api/clusters${path}`)
          .set('Authorization', OPS());
      const ids = `${STORED},${ODD}`;
      const preview: FailoverPreview = await poll(
        'local-b answering, with its claims known',
        async () => {
          const res = await get(
            `/failover/preview?source=local-b&target=local-a&services=${ids}`,
          );
          const move = res.body.services?.find(
            (x: { kubernetesId: string }) => x.kubernetesId === STORED,
          );
          return move?.action === 'move' ? res.body : undefined;
        },
      );
      const byId = Object.fromEntries(
        preview.services.map(x => [x.kubernetesId, x]),
      );
      expect(byId[STORED].reason).toBe(
        `Secret(s) ${STORED}-db, ${STORED}-pull copied; claim(s) ${claim} (nfs) made in the target (their data is not copied)`,
      );
      expect(byId[ODD]).toMatchObject({
        action: 'skip',
        reason: `the claim ${ODD}-data is of storage type 'b-only', which local-a does not have (its types: nfs, standard): nothing of the service moves`,
      });
      // a run of the odd one alone moves nothing: a 400 that says why
      const refused = await request(backend.server)
        .post('/api/clusters/failover/runs')
        .set('Authorization', OPS())
        .send({ source: 'local-b', target: 'local-a', services: [ODD] });
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain("storage type 'b-only'");

      const replicas = async (name: string) =>
        (await replicasOf('local-a', name)) +
        (await replicasOf('local-b', name));
      const before = {
        stored: await replicas(STORED),
        odd: await replicas(ODD),
      };
      const started = await request(backend.server)
        .post('/api/clusters/failover/runs')
        .set('Authorization', OPS())
        .send({
          source: 'local-b',
          target: 'local-a',
          services: [STORED, ODD],
        });
      expect(started.status).toBe(201);
      const done = await poll('the run done', async () => {
        const res = await get(`/failover/runs/${started.body.id}`);
        return res.body.state === 'done'
          ? (res.body as FailoverRun)
          : undefined;
      });
      expect(
        Object.fromEntries(done.steps.map(x => [x.kubernetesId, x.state])),
      ).toEqual({ [STORED]: 'scaled-down', [ODD]: 'skipped' });

      // nothing lost, nothing of the odd one touched
      expect({
        stored: await replicas(STORED),
        odd: await replicas(ODD),
      }).toEqual(before);
      expect(await replicasOf('local-a', STORED)).toBe(2);
      expect(await replicasOf('local-b', STORED)).toBe(0);
      expect(await replicasOf('local-b', ODD)).toBe(1);
      await expect(
        apps('local-a').readNamespacedDeployment({ namespace: ns, name: ODD }),
      ).rejects.toThrow();

      // the claim in local-a: the storage module's, on local-a's export, Bound
      const moved = await poll('the claim Bound in local-a', async () => {
        const c = await core('local-a').readNamespacedPersistentVolumeClaim({
          namespace: ns,
          name: claim,
        });
        return c.status?.phase === 'Bound' ? c : undefined;
      });
      expect(moved.metadata?.labels).toMatchObject(labels(STORED, 'nfs'));
      const volume = await core('local-a').readPersistentVolume({
        name: `cc-nfs-${ns}-${claim}`,
      });
      expect(volume.spec?.nfs).toEqual({
        server: 'nfs.local-cloud.test',
        path: `/exports/local-a/${ns}/${claim}`,
      });
      // the Secrets and the config files, as in local-b
      const secret = await core('local-a').readNamespacedSecret({
        namespace: ns,
        name: `${STORED}-db`,
      });
      expect(Buffer.from(secret.data!.password, 'base64').toString()).toBe(
        PASSWORD,
      );
      expect(
        (
          await core('local-a').readNamespacedSecret({
            namespace: ns,
            name: `${STORED}-pull`,
          })
        ).type,
      ).toBe('kubernetes.io/dockerconfigjson');
      expect(
        (
          await core('local-a').readNamespacedConfigMap({
            namespace: ns,
            name: `${STORED}-app-config`,
          })
        ).data,
      ).toEqual({ 'application.yaml': 'server:\n  port: 8080\n' });

      // the Secret's content is in no answer, audit event or database row
      const encoded = Buffer.from(PASSWORD).toString('base64');
      const answers = JSON.stringify([preview, started.body, done]);
      const events = JSON.stringify(audit);
      const rows = JSON.stringify(
        await knex('clusters_failover_steps').where({
          run_id: started.body.id,
        }),
      );
      for (const text of [answers, events, rows]) {
        expect(text).not.toContain(PASSWORD);
        expect(text).not.toContain(encoded);
      }
      expect(done.steps.find(x => x.kubernetesId === STORED)).toBeDefined();
      const scaledUp = audit.find(
        e => e.meta?.kubernetesId === STORED && e.meta?.to === 'scaling-up',
      );
      expect(scaledUp?.meta?.reason).toBe(
        `created in local-a to 2 replica(s), with ConfigMap(s) ${STORED}-app-config, Secret(s) ${STORED}-db, ${STORED}-pull, claim(s) ${claim} (nfs)`,
      );
    });
  },
);
