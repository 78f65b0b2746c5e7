import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AdmissionregistrationV1Api,
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1Deployment,
} from '@kubernetes/client-node';
import type {
  AdminVolumeList,
  VolumeList,
} from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import { staticVolumeName } from './claims';
import { startStorageBackend } from '../__testUtils__/startStorageBackend';

jest.setTimeout(240_000);

// Against the local cloud's two real clusters (kube-apiserver, controller-manager, kwok): the
// claims really bind (static NFS PersistentVolumes), the Deployments are really patched.
const lc = useLocalCloud({ namespacePrefix: 'vol' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const CAROL = 'user:default/carol'; // ops admin
const CLASS = 'local-cloud-standard';

const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

describe('volumes on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startStorageBackend>>;
  const clusters = () => lc.info.clusters.map(c => c.name);
  const apps = (cluster: string) =>
    lc.kubeConfig(cluster as any).makeApiClient(AppsV1Api);
  const core = (cluster: string) =>
    lc.kubeConfig(cluster as any).makeApiClient(CoreV1Api);
  const base = () => `/api/storage/services/default/payments-api/volumes`;

  function call(
    method: 'get' | 'post' | 'delete',
    path: string,
    body?: object,
    user = ALICE,
  ) {
    const req = request(backend.server)
      [method](`${base()}${path}`)
      .set('Authorization', mockCredentials.user.header(user));
    return body ? req.send(body) : req;
  }

  async function list(): Promise<VolumeList> {
    const res = await call('get', '');
    expect(res.status).toBe(200);
    return res.body;
  }

  async function eventually(
    check: (list: VolumeList) => boolean,
    what: string,
  ): Promise<VolumeList> {
    let last: VolumeList | undefined;
    for (let i = 0; i < 120; i++) {
      last = await list();
      if (check(last)) return last;
      await sleep(500);
    }
    throw new Error(`${what} never happened: ${JSON.stringify(last, null, 1)}`);
  }

  /** Waits until the claim and the PersistentVolume made for it are gone (finalizers done). */
  async function waitGone(cluster: string, claim: string) {
    const missing = (read: Promise<unknown>) =>
      read.then(
        () => false,
        () => true,
      );
    for (let i = 0; i < 60; i++) {
      const claimGone = await missing(
        core(cluster).readNamespacedPersistentVolumeClaim({
          namespace: lc.namespace,
          name: claim,
        }),
      );
      const volumeGone = await missing(
        core(cluster).readPersistentVolume({
          name: staticVolumeName(lc.namespace, claim),
        }),
      );
      if (claimGone && volumeGone) return;
      await sleep(500);
    }
    throw new Error(`claim ${claim} in ${cluster} never went away`);
  }

  const deployment = (cluster: string): Promise<V1Deployment> =>
    apps(cluster).readNamespacedDeployment({
      namespace: lc.namespace,
      name: 'payments-api',
    });

  beforeAll(async () => {
    for (const cluster of clusters()) {
      await apps(cluster).createNamespacedDeployment({
        namespace: lc.namespace,
        body: {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: {
            name: 'payments-api',
            namespace: lc.namespace,
            labels: {
              app: 'payments-api',
              'backstage.io/kubernetes-id': 'payments-api',
            },
          },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'payments-api' } },
            template: {
              metadata: {
                labels: {
                  app: 'payments-api',
                  'backstage.io/kubernetes-id': 'payments-api',
                },
              },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'registry.example.com/payments/api:1.0.0',
                    // a config file set mounted here: volumes may not shadow it
                    volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
                  },
                ],
                volumes: [
                  {
                    name: 'cfg',
                    configMap: { name: 'payments-api-app-config' },
                  },
                ],
              },
            },
          },
        },
      });
    }
    backend = await startStorageBackend({
      clusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      prometheus: { url: lc.info.prometheus.url },
      volumes: {
        clusters: clusters().map(cluster => ({
          cluster,
          types: [
            {
              name: 'nfs',
              nfs: { server: 'nfs.test', basePath: `/exports/${cluster}` },
            },
            { name: 'standard', storageClass: CLASS },
          ],
        })),
      },
      // only this file's namespace: the seeded payments-api elsewhere is not this test's
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'container-cloud.io/placements': `*/${lc.namespace}`,
        }),
      ],
    });
  });

  afterAll(async () => {
    await backend?.stop();
    // the PersistentVolumes are cluster-wide: the namespace's deletion does not take them
    for (const cluster of clusters()) {
      for (const claim of ['data', 'grow', 'roll', 'used', 'kept']) {
        await core(cluster)
          .deletePersistentVolume({
            name: staticVolumeName(lc.namespace, claim),
          })
          .catch(() => undefined);
      }
      await core(cluster)
        .deletePersistentVolume({ name: `${lc.namespace}-grow` })
        .catch(() => undefined);
    }
  });

  it('creates → Bound → mounts in both clusters → refuses delete while mounted → unmounts → deletes', async () => {
    const created = await call('post', '', {
      name: 'data',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteMany',
    });
    expect(created.status).toBe(201);
    expect(
      created.body.outcomes.map((o: any) => `${o.cluster}:${o.state}`),
    ).toEqual(clusters().map(c => `${c}:created`));

    const bound = await eventually(
      l =>
        l.items.find(v => v.name === 'data')?.claims.length === 2 &&
        l.items
          .find(v => v.name === 'data')!
          .claims.every(c => c.phase === 'Bound'),
      'both claims Bound',
    );
    const data = bound.items.find(v => v.name === 'data')!;
    expect(data).toMatchObject({ type: 'nfs', expandable: false, mounts: [] });
    expect(data.claims[0]).toMatchObject({
      requested: '1Gi',
      capacity: '1Gi',
      capacityBytes: 2 ** 30,
      accessModes: ['ReadWriteMany'],
      reclaimPolicy: 'Retain',
      // mounted by no pod yet: no kubelet (nor the local cloud's kwok) reports its usage
      usedBytes: null,
    });
    expect(bound.types.map(t => t.name)).toEqual(['nfs', 'standard']);

    // a path inside the config file mount would shadow it: refused, nothing changes
    const shadowing = await call('post', '/data/mount', {
      path: '/etc/app/data',
    });
    expect(shadowing.status).toBe(400);
    expect(shadowing.body.error.message).toContain(
      "would shadow the mount of 'cfg' at /etc/app",
    );

    const mounted = await call('post', '/data/mount', {
      path: '/var/data',
      subPath: 'uploads',
      expected: bound.deployments.map(d => ({
        cluster: d.cluster,
        namespace: d.namespace,
        deployment: d.deployment,
        resourceVersion: d.resourceVersion,
      })),
    });
    expect(mounted.status).toBe(200);
    expect(
      mounted.body.outcomes.map((o: any) => `${o.cluster}:${o.state}`),
    ).toEqual(clusters().map(c => `${c}:mounted`));
    for (const cluster of clusters()) {
      const spec = (await deployment(cluster)).spec!.template.spec!;
      expect(spec.volumes).toContainEqual(
        expect.objectContaining({
          name: 'pvc-data',
          persistentVolumeClaim: { claimName: 'data' },
        }),
      );
      expect(spec.containers[0].volumeMounts).toEqual([
        { name: 'cfg', mountPath: '/etc/app' },
        { name: 'pvc-data', mountPath: '/var/data', subPath: 'uploads' },
      ]);
    }
    expect(mounted.body.volume.mounts).toHaveLength(2);

    const refused = await call('delete', '/data');
    expect(refused.status).toBe(409);
    for (const cluster of clusters()) {
      expect(refused.body.error.message).toContain(
        `${cluster}/${lc.namespace}/payments-api`,
      );
    }
    expect(refused.body.current.name).toBe('data');

    // a stale resourceVersion: 409 with the Deployment as it is, and nothing unmounted
    const stale = await call('post', '/data/unmount', {
      expected: [
        {
          cluster: clusters()[1],
          namespace: lc.namespace,
          deployment: 'payments-api',
          resourceVersion: bound.deployments.find(
            d => d.cluster === clusters()[1],
          )!.resourceVersion,
        },
      ],
    });
    expect(stale.status).toBe(409);
    expect(stale.body.error.message).toContain('changed since you loaded it');
    expect(stale.body.current.name).toBe('payments-api');
    for (const cluster of clusters()) {
      expect(
        (await deployment(cluster)).spec!.template.spec!.containers[0]
          .volumeMounts,
      ).toHaveLength(2);
    }

    // loaded, then only a label moves (as the controller's status reports do): with the spec
    // generation the page loaded, that is no conflict
    const first = clusters()[0];
    const loaded = await deployment(first);
    const touched = await deployment(first);
    touched.metadata!.labels = {
      ...touched.metadata!.labels,
      'example.com/looked-at': 'yes',
    };
    await apps(first).replaceNamespacedDeployment({
      namespace: lc.namespace,
      name: 'payments-api',
      body: touched,
    });
    expect((await deployment(first)).metadata?.generation).toBe(
      loaded.metadata?.generation,
    );
    const asLoaded = {
      cluster: first,
      namespace: lc.namespace,
      deployment: 'payments-api',
      resourceVersion: loaded.metadata!.resourceVersion!,
    };
    const strict = await call('post', '/data/unmount', {
      expected: [asLoaded],
    });
    expect(strict.status).toBe(409);
    const unmounted = await call('post', '/data/unmount', {
      expected: [{ ...asLoaded, generation: loaded.metadata!.generation! }],
    });
    expect(unmounted.status).toBe(200);
    for (const cluster of clusters()) {
      const spec = (await deployment(cluster)).spec!.template.spec!;
      expect(spec.volumes).toEqual([expect.objectContaining({ name: 'cfg' })]);
      expect(spec.containers[0].volumeMounts).toEqual([
        { name: 'cfg', mountPath: '/etc/app' },
      ]);
      const claim = await core(cluster).readNamespacedPersistentVolumeClaim({
        namespace: lc.namespace,
        name: 'data',
      });
      expect(
        claim.metadata?.annotations?.['container-cloud.io/unmounted-at'],
      ).toBeDefined();
    }

    const admin = await call('get', '', undefined, CAROL);
    expect(admin.status).toBe(200);
    const everything = await request(backend.server)
      .get('/api/storage/admin/volumes')
      .set('Authorization', mockCredentials.user.header(CAROL));
    expect(everything.status).toBe(200);
    const ours = (everything.body as AdminVolumeList).items.filter(
      v => v.namespace === lc.namespace,
    );
    expect(
      ours.map(v => `${v.cluster}:${v.name}:${v.owner}:${v.orphan}`),
    ).toEqual(
      clusters().map(c => `${c}:data:component:default/payments-api:false`),
    );

    const deleted = await call('delete', '/data');
    expect(deleted.status).toBe(200);
    expect(deleted.body.reclaimPolicy).toEqual(
      clusters().map(cluster => ({
        cluster,
        policy: 'Retain',
        meaning: `the data stays on nfs.test:/exports/${cluster}/${lc.namespace}/data; ops can reuse or remove it`,
      })),
    );
    for (const cluster of clusters()) await waitGone(cluster, 'data');
    await eventually(
      l => !l.items.some(v => v.name === 'data'),
      'the volume gone from the list',
    );
  });

  it('shows the used bytes of a mounted claim from Prometheus, cluster by cluster, on the tab and the ops page', async () => {
    // packages/local-cloud/src/kwokConfig.ts: kwok reports kubelet_volume_stats_used_bytes for the
    // claims a pod mounts, with the value of this pod annotation
    const USED_BYTES = 'local-cloud.container-cloud.io/volume-used-bytes';
    const NOTED = 'local-cloud.container-cloud.io/volume-claims';
    const created = await call('post', '', {
      name: 'used',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteMany',
    });
    expect(created.status).toBe(201);
    await eventually(
      l =>
        l.items
          .find(v => v.name === 'used')
          ?.claims.every(c => c.phase === 'Bound') ?? false,
      'the claims Bound',
    );
    const mounted = await call('post', '/used/mount', { path: '/srv/used' });
    expect(mounted.status).toBe(200);
    // a different amount in each cluster, so the page's numbers are each cluster's own
    const want = new Map<string, number>(
      clusters().map((cluster, i) => [cluster, (5 + 2 * i) * 2 ** 20]),
    );
    for (const cluster of clusters()) {
      await apps(cluster).patchNamespacedDeployment(
        {
          namespace: lc.namespace,
          name: 'payments-api',
          body: [
            {
              op: 'add',
              path: `/spec/template/metadata/annotations`,
              value: { [USED_BYTES]: String(want.get(cluster)) },
            },
          ],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    }
    const reported = (l: VolumeList) =>
      l.items
        .find(v => v.name === 'used')
        ?.claims.every(c => c.usedBytes === want.get(c.cluster)) ?? false;
    let seen: VolumeList | undefined;
    for (let i = 0; i < 120 && !(seen && reported(seen)); i++) {
      if (i > 0) await sleep(500);
      seen = await list();
    }
    if (!reported(seen!)) {
      // say why: a kwok started before its configuration had the volume metrics notes no claim
      const pods = await core(clusters()[0]).listNamespacedPod({
        namespace: lc.namespace,
      });
      const noted = pods.items.some(
        p => p.metadata?.annotations?.[NOTED] !== undefined,
      );
      throw new Error(
        `used bytes never reported: ${JSON.stringify(
          seen!.items.find(v => v.name === 'used')?.claims,
        )}${
          noted
            ? ''
            : "; no pod has its claims noted: the local cloud's kwok runs a configuration without the volume metrics (restart the local cloud)"
        }`,
      );
    }
    const everything = await request(backend.server)
      .get('/api/storage/admin/volumes')
      .set('Authorization', mockCredentials.user.header(CAROL));
    expect(everything.status).toBe(200);
    expect(
      (everything.body as AdminVolumeList).items
        .filter(v => v.namespace === lc.namespace && v.name === 'used')
        .map(v => `${v.cluster}:${v.usedBytes}`),
    ).toEqual(clusters().map(c => `${c}:${want.get(c)}`));

    expect((await call('post', '/used/unmount', {})).status).toBe(200);
    for (const cluster of clusters()) {
      await apps(cluster).patchNamespacedDeployment(
        {
          namespace: lc.namespace,
          name: 'payments-api',
          body: [{ op: 'remove', path: '/spec/template/metadata/annotations' }],
        },
        setHeaderOptions('Content-Type', PatchStrategy.JsonPatch),
      );
    }
    expect((await call('delete', '/used')).status).toBe(200);
  });

  it('refuses to delete a volume a StatefulSet, a DaemonSet, a Job or a bare Pod mounts, naming each with its cluster', async () => {
    const [first, second] = clusters();
    const created = await call('post', '', {
      name: 'kept',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteMany',
    });
    expect(created.status).toBe(201);
    const volumes = [
      { name: 'v', persistentVolumeClaim: { claimName: 'kept' } },
    ];
    const containers = [
      {
        name: 'c',
        image: 'busybox',
        volumeMounts: [{ name: 'v', mountPath: '/kept' }],
      },
    ];
    const template = (app: string) => ({
      metadata: { labels: { app } },
      spec: { containers, volumes },
    });
    const batch = (cluster: string) =>
      lc.kubeConfig(cluster as any).makeApiClient(BatchV1Api);
    await apps(first).createNamespacedStatefulSet({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'db' },
        spec: {
          replicas: 0,
          serviceName: 'db',
          selector: { matchLabels: { app: 'db' } },
          template: template('db'),
        },
      },
    });
    await apps(second).createNamespacedDaemonSet({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'agent' },
        spec: {
          selector: { matchLabels: { app: 'agent' } },
          template: template('agent'),
        },
      },
    });
    await batch(second).createNamespacedJob({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'backup' },
        spec: {
          suspend: true,
          template: { spec: { restartPolicy: 'Never', containers, volumes } },
        },
      },
    });
    await core(first).createNamespacedPod({
      namespace: lc.namespace,
      body: { metadata: { name: 'debug' }, spec: { containers, volumes } },
    });
    const users = [
      `StatefulSet ${first}/${lc.namespace}/db`,
      `Pod ${first}/${lc.namespace}/debug`,
      `DaemonSet ${second}/${lc.namespace}/agent`,
      `Job ${second}/${lc.namespace}/backup`,
    ];
    try {
      const refused = await call('delete', '/kept');
      expect(refused.status).toBe(409);
      for (const user of users) {
        expect(refused.body.error.message).toContain(user);
      }
      // the Deployment does not mount it, and no pod a controller owns is named on its own
      expect(refused.body.error.message).not.toContain('payments-api');
      expect(refused.body.error.message).not.toMatch(/Pod \S+\/agent-/);
      expect(refused.body.current.name).toBe('kept');
      for (const cluster of clusters()) {
        await expect(
          core(cluster).readNamespacedPersistentVolumeClaim({
            namespace: lc.namespace,
            name: 'kept',
          }),
        ).resolves.toBeDefined();
      }
      // the tab says who mounts it, and where
      const kept = (await list()).items.find(v => v.name === 'kept')!;
      expect(
        kept.mounts
          .map(m => `${m.kind} ${m.cluster}/${m.deployment}:${m.path}`)
          .sort(),
      ).toEqual(
        [
          `StatefulSet ${first}/db:/kept`,
          `Pod ${first}/debug:/kept`,
          `DaemonSet ${second}/agent:/kept`,
          `Job ${second}/backup:/kept`,
        ].sort(),
      );
      const everything = await request(backend.server)
        .get('/api/storage/admin/volumes')
        .set('Authorization', mockCredentials.user.header(CAROL));
      expect(
        (everything.body as AdminVolumeList).items
          .filter(v => v.namespace === lc.namespace && v.name === 'kept')
          .map(v => `${v.cluster}:${v.mountedBy.sort().join(',')}`),
      ).toEqual([
        `${first}:${lc.namespace}/db (StatefulSet),${lc.namespace}/debug (Pod)`,
        `${second}:${lc.namespace}/agent (DaemonSet),${lc.namespace}/backup (Job)`,
      ]);
    } finally {
      await apps(first)
        .deleteNamespacedStatefulSet({ namespace: lc.namespace, name: 'db' })
        .catch(() => undefined);
      await apps(second)
        .deleteNamespacedDaemonSet({ namespace: lc.namespace, name: 'agent' })
        .catch(() => undefined);
      await batch(second)
        .deleteNamespacedJob({ namespace: lc.namespace, name: 'backup' })
        .catch(() => undefined);
      await core(first)
        .deleteNamespacedPod({
          namespace: lc.namespace,
          name: 'debug',
          gracePeriodSeconds: 0,
        })
        .catch(() => undefined);
    }
    let deleted: request.Response | undefined;
    // the pods go with a grace period: the guard counts them until they are gone
    for (let i = 0; i < 60; i++) {
      deleted = await call('delete', '/kept');
      if (deleted.status !== 409) break;
      await sleep(500);
    }
    expect(deleted!.status).toBe(200);
  });

  it('shows why a dynamic claim is Pending, grows it once Bound, and refuses to grow a static one', async () => {
    const created = await call('post', '', {
      name: 'grow',
      type: 'standard',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    });
    expect(created.status).toBe(201);
    // no provisioner serves the local cloud's class: the reason comes from the claim's events
    const pending = await eventually(
      l =>
        l.items
          .find(v => v.name === 'grow')
          ?.claims.every(
            c => c.phase === 'Pending' && c.reason !== undefined,
          ) ?? false,
      'a Pending reason',
    );
    const grow = pending.items.find(v => v.name === 'grow')!;
    expect(grow.claims[0].reason).toContain(
      'local-cloud.container-cloud.io/none',
    );
    expect(grow.expandable).toBe(true);

    const notBound = await call('post', '/grow/resize', { size: '2Gi' });
    expect(notBound.status).toBe(400);
    expect(notBound.body.error.message).toContain(
      'only a Bound volume can grow',
    );

    // stand in for the provisioner: a PersistentVolume of the class, reserved for the claim
    for (const cluster of clusters()) {
      await core(cluster).createPersistentVolume({
        body: {
          metadata: { name: `${lc.namespace}-grow` },
          spec: {
            capacity: { storage: '1Gi' },
            accessModes: ['ReadWriteOnce'],
            storageClassName: CLASS,
            persistentVolumeReclaimPolicy: 'Delete',
            nfs: { server: 'nfs.test', path: '/grow' },
            claimRef: { namespace: lc.namespace, name: 'grow' },
          },
        },
      });
    }
    await eventually(
      l =>
        l.items
          .find(v => v.name === 'grow')!
          .claims.every(c => c.phase === 'Bound'),
      'the claims Bound',
    );
    const smaller = await call('post', '/grow/resize', { size: '512Mi' });
    expect(smaller.status).toBe(400);
    expect(smaller.body.error.message).toContain('volumes only grow');

    const grown = await call('post', '/grow/resize', { size: '2Gi' });
    expect(grown.status).toBe(200);
    expect(grown.body.volume.claims).toEqual(
      clusters().map(cluster =>
        expect.objectContaining({ cluster, requested: '2Gi', resizing: true }),
      ),
    );
    const deleted = await call('delete', '/grow');
    expect(deleted.status).toBe(200);
    expect(deleted.body.reclaimPolicy[0]).toMatchObject({ policy: 'Delete' });

    const nfs = await call('post', '', {
      name: 'fixed',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    });
    expect(nfs.status).toBe(201);
    const fixed = await call('post', '/fixed/resize', { size: '2Gi' });
    expect(fixed.status).toBe(400);
    expect(fixed.body.error.message).toContain('static export');
    expect((await call('delete', '/fixed')).status).toBe(200);
  });

  it('refuses a type a cluster does not offer, and a name taken, changing nothing', async () => {
    const unknown = await call('post', '', {
      name: 'other',
      type: 'ceph',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toContain(
      "offers no storage type 'ceph' (it offers: nfs, standard)",
    );
    await core(clusters()[1]).createNamespacedPersistentVolumeClaim({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'taken' },
        spec: {
          accessModes: ['ReadWriteOnce'],
          storageClassName: CLASS,
          resources: { requests: { storage: '1Gi' } },
        },
      },
    });
    const taken = await call('post', '', {
      name: 'taken',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    });
    expect(taken.status).toBe(409);
    expect(taken.body.error.message).toContain(
      `exists already in ${lc.namespace} of cluster ${clusters()[1]}`,
    );
    await expect(
      core(clusters()[0]).readNamespacedPersistentVolumeClaim({
        namespace: lc.namespace,
        name: 'taken',
      }),
    ).rejects.toMatchObject({ code: 404 });
  });

  it('puts the first cluster back when the second refuses a mount, and removes the claim it made there', async () => {
    const [first, second] = clusters();
    const created = await call('post', '', {
      name: 'roll',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    });
    expect(created.status).toBe(201);
    const before = await deployment(first);
    // the second cluster's admission refuses the write (a real apiserver policy, this namespace only)
    const admission = lc
      .kubeConfig(second as any)
      .makeApiClient(AdmissionregistrationV1Api);
    const policy = `${lc.namespace}-no-volumes`;
    await admission.createValidatingAdmissionPolicy({
      body: {
        metadata: { name: policy },
        spec: {
          failurePolicy: 'Fail',
          matchConstraints: {
            resourceRules: [
              {
                apiGroups: ['apps'],
                apiVersions: ['v1'],
                operations: ['UPDATE'],
                resources: ['deployments'],
              },
            ],
          },
          validations: [
            {
              expression:
                "!has(object.spec.template.spec.volumes) || object.spec.template.spec.volumes.all(v, !v.name.startsWith('pvc-'))",
              message: 'this cluster takes no claims',
            },
          ],
        },
      },
    });
    await admission.createValidatingAdmissionPolicyBinding({
      body: {
        metadata: { name: policy },
        spec: {
          policyName: policy,
          validationActions: ['Deny'],
          matchResources: {
            namespaceSelector: {
              matchLabels: { 'kubernetes.io/metadata.name': lc.namespace },
            },
          },
        },
      },
    });
    try {
      // the policy takes a moment to reach the apiserver's admission chain
      for (let i = 0; i < 40; i++) {
        const probe = await call('post', '/roll/mount', { path: '/srv/roll' });
        if (probe.status !== 200) break;
        expect((await call('post', '/roll/unmount', {})).status).toBe(200);
        await sleep(500);
      }
      // the second cluster lacks the claim: the mount makes it first
      await core(second).deleteNamespacedPersistentVolumeClaim({
        namespace: lc.namespace,
        name: 'roll',
      });
      await core(second).deletePersistentVolume({
        name: staticVolumeName(lc.namespace, 'roll'),
      });
      // the protection finalizers hold them a moment
      await waitGone(second, 'roll');
      // the probes above rolled the Deployment: while its controller still writes its status, a
      // mount meets a changed version (409) and is tried again, as a person would
      let refused = await call('post', '/roll/mount', { path: '/srv/roll' });
      for (let i = 0; i < 5 && refused.status === 409; i++) {
        await sleep(1000);
        refused = await call('post', '/roll/mount', { path: '/srv/roll' });
      }
      expect(refused.status).toBe(400);
      expect(refused.body.error.message).toContain(
        'this cluster takes no claims',
      );
      expect(refused.body.error.message).toContain(
        `nothing was changed (put back: ${first}/${lc.namespace}/payments-api)`,
      );
      const after = await deployment(first);
      expect(after.spec!.template.spec!.volumes).toEqual(
        before.spec!.template.spec!.volumes,
      );
      expect(after.spec!.template.spec!.containers[0].volumeMounts).toEqual(
        before.spec!.template.spec!.containers[0].volumeMounts,
      );
      // the claim the mount made in the second cluster is gone again
      await waitGone(second, 'roll');
    } finally {
      await admission.deleteValidatingAdmissionPolicyBinding({ name: policy });
      await admission.deleteValidatingAdmissionPolicy({ name: policy });
    }
    let mounted: request.Response | undefined;
    for (let i = 0; i < 40; i++) {
      mounted = await call('post', '/roll/mount', { path: '/srv/roll' });
      if (mounted.status === 200) break;
      await sleep(500);
    }
    expect(mounted!.status).toBe(200);
    expect(
      mounted!.body.outcomes.map((o: any) => `${o.cluster}:${o.state}`),
    ).toEqual([`${second}:created`, `${first}:mounted`, `${second}:mounted`]);
    expect((await call('post', '/roll/unmount', {})).status).toBe(200);
    expect((await call('delete', '/roll')).status).toBe(200);
  });
});
