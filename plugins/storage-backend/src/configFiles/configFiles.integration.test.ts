import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  BatchV1Api,
  CoreV1Api,
  V1Deployment,
} from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  RecordedAuditEvent,
  recordingAuditor,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
import request from 'supertest';
import { startStorageBackend } from '../__testUtils__/startStorageBackend';

jest.setTimeout(300_000);

// Against the local cloud's two real clusters (kube-apiserver + kwok), in a namespace of its own;
// the service's kubernetes id is that namespace's name, so the seed's payments-api is untouched.
const lc = useLocalCloud({ namespacePrefix: 'cfg' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const BOB = 'user:default/bob'; // team-orders
const BASE = '/api/storage/services/default/payments-api/config-files';
const CLUSTERS = ['local-a', 'local-b'] as const;
const audit: RecordedAuditEvent[] = [];
type Cluster = (typeof CLUSTERS)[number];

function deployment(namespace: string, kubernetesId: string): V1Deployment {
  const labels = { app: 'web', 'backstage.io/kubernetes-id': kubernetesId };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: 'web', namespace, labels },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'web' } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            { name: 'app', image: 'registry.example.com/web:1.0.0' },
          ],
        },
      },
    },
  };
}

async function poll<T>(
  what: string,
  read: () => Promise<T | undefined>,
): Promise<T> {
  for (let i = 0; i < 240; i++) {
    const value = await read();
    if (value !== undefined) return value;
    await new Promise(resolve => setTimeout(resolve, 500));
  }
  throw new Error(`${what} never happened`);
}

describe('config files on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startStorageBackend>>;
  let kid: string;
  const core = (cluster: Cluster) =>
    lc.kubeConfig(cluster).makeApiClient(CoreV1Api);
  const apps = (cluster: Cluster) =>
    lc.kubeConfig(cluster).makeApiClient(AppsV1Api);

  beforeAll(async () => {
    kid = lc.namespace;
    for (const cluster of CLUSTERS) {
      await apps(cluster).createNamespacedDeployment({
        namespace: lc.namespace,
        body: deployment(lc.namespace, kid),
      });
    }
    // a labelled ConfigMap made before the portal knew the set: adopted as version 1
    await core('local-a').createNamespacedConfigMap({
      namespace: lc.namespace,
      body: {
        metadata: {
          name: `${kid}-legacy`,
          labels: {
            'backstage.io/kubernetes-id': kid,
            'container-cloud.io/config-files': 'legacy',
          },
        },
        data: { 'legacy.ini': '[main]\nkey = 1\n' },
      },
    });
    // an object of the same name as a set that is not the set's: the cluster refuses that set
    await core('local-b').createNamespacedConfigMap({
      namespace: lc.namespace,
      body: { metadata: { name: `${kid}-clash` }, data: { a: 'theirs' } },
    });
    const { clusters } = lc.info;
    backend = await startStorageBackend({
      clusters: clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      services: [recordingAuditor(audit)],
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments', {
          'backstage.io/kubernetes-id': kid,
        }),
      ],
    });
  });

  afterAll(() => backend?.stop());

  const send = (
    method: 'get' | 'post' | 'put' | 'delete',
    path: string,
    body?: object,
    user = ALICE,
  ) => {
    const req = request(backend.server)
      [method](`${BASE}${path}`)
      .set('Authorization', mockCredentials.user.header(user));
    return body ? req.send(body) : req;
  };

  const configMap = async (cluster: Cluster, set: string) => {
    try {
      return await core(cluster).readNamespacedConfigMap({
        name: `${kid}-${set}`,
        namespace: lc.namespace,
      });
    } catch {
      return undefined;
    }
  };

  it('finds the service in both clusters and adopts the labelled ConfigMap as version 1', async () => {
    const list = await poll('both clusters as targets', async () => {
      const res = await send('get', '');
      return res.body.targets?.length === 2 ? res.body : undefined;
    });
    expect(list.targets).toEqual(
      CLUSTERS.map(cluster => ({ cluster, namespace: lc.namespace })),
    );
    const legacy = list.items.find((s: any) => s.name === 'legacy');
    expect(legacy).toMatchObject({ currentVersion: 1, secret: false });
    const versions = await send('get', '/legacy/versions');
    expect(versions.body.items).toEqual([
      expect.objectContaining({
        version: 1,
        origin: 'cluster',
        createdBy: 'found in the cluster',
      }),
    ]);
  });

  it('saves version 1 and 2 in both clusters, diffs them and rolls back as version 3', async () => {
    const created = await send('post', '', {
      name: 'app',
      files: [{ name: 'application.yaml', content: 'port: 8080\n' }],
    });
    expect(created.status).toBe(201);
    const saved = await send('put', '/app', {
      baseVersion: 1,
      files: [{ name: 'application.yaml', content: 'port: 9090\n' }],
      message: 'new port',
    });
    expect(saved.status).toBe(200);
    expect(audit).toContainEqual(
      expect.objectContaining({
        eventId: 'config-files-save',
        outcome: 'success',
        meta: expect.objectContaining({
          entityRef: 'component:default/payments-api',
          fileSet: 'app',
          version: 2,
          clusters: CLUSTERS.map(c => `${c}/${lc.namespace}: 2`),
        }),
      }),
    );
    for (const cluster of CLUSTERS) {
      const cm = await configMap(cluster, 'app');
      expect(cm?.data).toEqual({ 'application.yaml': 'port: 9090\n' });
      expect(
        cm?.metadata?.annotations?.['container-cloud.io/config-version'],
      ).toBe('2');
      expect(cm?.metadata?.labels).toMatchObject({
        'backstage.io/kubernetes-id': kid,
        'container-cloud.io/config-files': 'app',
      });
    }
    const diff = await send('get', '/app/diff?from=1&to=2');
    expect(diff.body.files).toEqual([
      {
        file: 'application.yaml',
        lines: [
          { op: '-', text: 'port: 8080' },
          { op: '+', text: 'port: 9090' },
        ],
      },
    ]);
    const rolled = await send('post', '/app/rollback', {
      version: 1,
      baseVersion: 2,
    });
    expect(rolled.status).toBe(200);
    expect(rolled.body.set.currentVersion).toBe(3);
    expect(rolled.body.set.clusters.map((c: any) => c.version)).toEqual([3, 3]);
    for (const cluster of CLUSTERS) {
      expect((await configMap(cluster, 'app'))?.data).toEqual({
        'application.yaml': 'port: 8080\n',
      });
    }
  });

  it('answers 409 with the current version to the second of two concurrent edits', async () => {
    const edit = (port: number) =>
      send('put', '/app', {
        baseVersion: 3,
        files: [{ name: 'application.yaml', content: `port: ${port}\n` }],
      });
    const answers = await Promise.all([edit(1111), edit(2222)]);
    expect(answers.map(a => a.status).sort()).toEqual([200, 409]);
    const lost = answers.find(a => a.status === 409)!;
    expect(lost.body.current).toMatchObject({ name: 'app', currentVersion: 4 });
    const text = (await send('get', '/app/versions/4')).body.files[0].content;
    expect(['port: 1111\n', 'port: 2222\n']).toContain(text);
    for (const cluster of CLUSTERS) {
      expect(
        (await configMap(cluster, 'app'))?.data?.['application.yaml'],
      ).toBe(text);
    }
  });

  it('writes nothing when one cluster refuses: the other is put back', async () => {
    const res = await send('post', '', {
      name: 'clash',
      files: [{ name: 'a.yaml', content: 'a: 1\n' }],
    });
    expect(res.status).toBe(409);
    expect(res.body.error.message).toContain('nothing was saved');
    expect(res.body.error.message).toContain('local-b');
    expect(res.body.error.message).toContain('local-a');
    expect(await configMap('local-a', 'clash')).toBeUndefined();
    expect((await configMap('local-b', 'clash'))?.data).toEqual({
      a: 'theirs',
    });
    const list = await send('get', '');
    expect(list.body.items.map((s: any) => s.name)).not.toContain('clash');
  });

  it('mounts a folder and files by subPath, offers a restart for subPath, and refuses to delete while mounted', async () => {
    const folder = await send('post', '/app/mounts', {
      path: '/etc/app',
      mode: 'folder',
    });
    expect(folder.status).toBe(200);
    const files = await send('post', '/app/mounts', {
      path: '/etc/files',
      mode: 'files',
    });
    expect(files.status).toBe(200);
    for (const cluster of CLUSTERS) {
      const d = await apps(cluster).readNamespacedDeployment({
        name: 'web',
        namespace: lc.namespace,
      });
      expect(d.spec?.template.spec?.volumes).toContainEqual(
        expect.objectContaining({
          name: 'cfg-app',
          configMap: expect.objectContaining({ name: `${kid}-app` }),
        }),
      );
      expect(d.spec?.template.spec?.containers[0].volumeMounts).toEqual([
        { name: 'cfg-app', mountPath: '/etc/app', readOnly: true },
        {
          name: 'cfg-app',
          mountPath: '/etc/files/application.yaml',
          subPath: 'application.yaml',
          readOnly: true,
        },
      ]);
    }
    const shadow = await send('post', '/legacy/mounts', {
      path: '/etc/app/inner',
      mode: 'folder',
    });
    expect(shadow.status).toBe(400);
    expect(shadow.body.error.message).toContain('shadow');

    const saved = await send('put', '/app', {
      baseVersion: 4,
      files: [{ name: 'application.yaml', content: 'port: 7070\n' }],
    });
    expect(saved.status).toBe(200);
    expect(saved.body.restartNeeded).toEqual(
      CLUSTERS.map(cluster => ({
        cluster,
        namespace: lc.namespace,
        deployment: 'web',
      })),
    );
    expect(saved.body.notes.join(' ')).toContain('subPath');
    expect(saved.body.notes.join(' ')).toContain('kubelet');
    const before = saved.body.set.mounts.filter((m: any) => m.mode === 'files');
    expect(before.map((m: any) => [m.runningVersion, m.current])).toEqual([
      [4, false],
      [4, false],
    ]);

    const restarted = await send('post', '/app/restart');
    expect(restarted.status).toBe(200);
    expect(restarted.body.deployments.every((d: any) => d.changed)).toBe(true);
    for (const cluster of CLUSTERS) {
      const d = await apps(cluster).readNamespacedDeployment({
        name: 'web',
        namespace: lc.namespace,
      });
      expect(
        d.spec?.template.metadata?.annotations?.[
          'config-files.container-cloud.io/app'
        ],
      ).toMatch(/^5:[0-9a-f]{64}$/);
    }
    expect(
      restarted.body.set.mounts.map((m: any) => [
        m.mode,
        m.runningVersion,
        m.current,
      ]),
    ).toEqual([
      ['folder', 5, true],
      ['files', 5, true],
      ['folder', 5, true],
      ['files', 5, true],
    ]);

    const refused = await send('delete', '/app');
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(`local-a/${lc.namespace}/web`);
    expect(refused.body.error.message).toContain(`local-b/${lc.namespace}/web`);
    expect(await configMap('local-a', 'app')).toBeDefined();
  });

  it('unmounts and then deletes the set everywhere', async () => {
    for (const path of ['/etc/app', '/etc/files']) {
      const res = await send('delete', `/app/mounts?path=${path}`);
      expect(res.status).toBe(200);
    }
    const d = await apps('local-b').readNamespacedDeployment({
      name: 'web',
      namespace: lc.namespace,
    });
    expect(d.spec?.template.spec?.volumes ?? []).toEqual([]);

    // not only Deployments mount a set: a CronJob in one cluster, a bare Pod in the other
    const volumes = [{ name: 'cfg', configMap: { name: `${kid}-app` } }];
    const container = {
      name: 'c',
      image: 'busybox',
      volumeMounts: [{ name: 'cfg', mountPath: '/etc/app' }],
    };
    await lc
      .kubeConfig('local-b')
      .makeApiClient(BatchV1Api)
      .createNamespacedCronJob({
        namespace: lc.namespace,
        body: {
          metadata: { name: 'nightly' },
          spec: {
            schedule: '0 3 * * *',
            suspend: true,
            jobTemplate: {
              spec: {
                template: {
                  spec: {
                    restartPolicy: 'Never',
                    containers: [container],
                    volumes,
                  },
                },
              },
            },
          },
        },
      });
    await core('local-a').createNamespacedPod({
      namespace: lc.namespace,
      body: {
        metadata: { name: 'debug' },
        spec: { containers: [container], volumes },
      },
    });
    const inUse = await send('delete', '/app');
    expect(inUse.status).toBe(409);
    expect(inUse.body.error.message).toContain(
      `CronJob local-b/${lc.namespace}/nightly`,
    );
    expect(inUse.body.error.message).toContain(
      `Pod local-a/${lc.namespace}/debug`,
    );
    expect(inUse.body.error.message).not.toContain('Deployment');
    expect(await configMap('local-b', 'app')).toBeDefined();
    await lc
      .kubeConfig('local-b')
      .makeApiClient(BatchV1Api)
      .deleteNamespacedCronJob({ namespace: lc.namespace, name: 'nightly' });
    await core('local-a').deleteNamespacedPod({
      namespace: lc.namespace,
      name: 'debug',
      gracePeriodSeconds: 0,
    });
    await poll('the bare pod gone', () =>
      core('local-a')
        .readNamespacedPod({ namespace: lc.namespace, name: 'debug' })
        .then(
          () => undefined,
          () => true,
        ),
    );

    expect((await send('delete', '/app', undefined, BOB)).status).toBe(403);
    expect((await send('delete', '/app')).status).toBe(204);
    for (const cluster of CLUSTERS) {
      expect(await configMap(cluster, 'app')).toBeUndefined();
    }
  });

  it('refuses to overwrite an edit made in the cluster unless told to', async () => {
    const cm = (await configMap('local-a', 'legacy'))!;
    await core('local-a').replaceNamespacedConfigMap({
      name: cm.metadata!.name!,
      namespace: lc.namespace,
      body: {
        ...cm,
        data: { 'legacy.ini': '[main]\nkey = edited-by-kubectl\n' },
      },
    });
    const body = {
      baseVersion: 1,
      files: [{ name: 'legacy.ini', content: '[main]\nkey = 2\n' }],
    };
    const refused = await send('put', '/legacy', body);
    expect(refused.status).toBe(409);
    expect(refused.body.error.message).toContain(
      `edited in cluster local-a (${lc.namespace})`,
    );
    expect(refused.body.current.clusters[0]).toMatchObject({
      cluster: 'local-a',
      editedInCluster: true,
    });
    expect(
      (await configMap('local-a', 'legacy'))?.data?.['legacy.ini'],
    ).toContain('edited-by-kubectl');
    const forced = await send('put', '/legacy', {
      ...body,
      overwriteClusterEdits: true,
    });
    expect(forced.status).toBe(200);
    for (const cluster of CLUSTERS) {
      expect((await configMap(cluster, 'legacy'))?.data).toEqual({
        'legacy.ini': '[main]\nkey = 2\n',
      });
    }
    expect(
      forced.body.set.clusters.map((c: any) => [c.version, c.editedInCluster]),
    ).toEqual([
      [2, false],
      [2, false],
    ]);
  });

  it('keeps a secret set in a Secret and never answers its content', async () => {
    const SECRET = `s3cr3t-${kid}`;
    const created = await send('post', '', {
      name: 'creds',
      secret: true,
      files: [{ name: 'db.properties', content: `password=${SECRET}\n` }],
    });
    expect(created.status).toBe(201);
    const secret = await core('local-b').readNamespacedSecret({
      name: `${kid}-creds`,
      namespace: lc.namespace,
    });
    expect(
      Buffer.from(secret.data!['db.properties'], 'base64').toString(),
    ).toBe(`password=${SECRET}\n`);
    const mounted = await send('post', '/creds/mounts', {
      path: '/run/creds',
      mode: 'folder',
    });
    expect(mounted.status).toBe(200);
    const answers = [
      created,
      mounted,
      await send('get', ''),
      await send('get', '/creds'),
      await send('get', '/creds/versions'),
      await send('get', '/creds/versions/1'),
      await send('get', '/creds/diff?from=1&to=1'),
      await send('post', '/creds/restart'),
      await send('delete', '/creds'),
      await send('delete', '/creds/mounts?path=/run/creds'),
    ];
    for (const res of answers) {
      expect(JSON.stringify(res.body)).not.toContain(SECRET);
    }
    expect(answers[8].status).toBe(409);
  });
});
