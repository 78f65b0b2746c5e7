import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import yaml from 'js-yaml';
import request from 'supertest';
import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { CoreV1Api } from '@kubernetes/client-node';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
// the real storage and nginx backends, which the actions call over HTTP as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import storagePlugin from '@internal/plugin-storage-backend';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import nginxPlugin from '@internal/plugin-nginx-backend';
import {
  GUEST,
  localCloudClusters,
  paymentsServicePlacedIn,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { scaffolderAction } from './adapters';
import { createConfigFilesAction } from './createConfigFilesAction';
import { createDomainAction } from './createDomainAction';
import { createServiceAction } from './createServiceAction';
import { createVolumeAction } from './createVolumeAction';
import { syncTestEnvironmentsAction } from './syncTestEnvironmentsAction';
import type { SuiteAction } from './SuiteAction';

jest.setTimeout(240_000);

// "Add a volume / a domain to my service" on the local cloud: the service's Deployment made by
// container-cloud:service:create, then the storage and nginx actions, as a person would run the
// templates. The guest owns payments-api; carol is an ops admin (nginx domains are ops').
const lc = useLocalCloud({ namespacePrefix: 'scafst' });
const CAROL = 'user:default/carol';
const BOB = 'user:default/bob';
const ENTITY = 'component:default/payments-api';

describe('the storage and nginx actions on the local cloud', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];
  let confDir: string;

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    confDir = await mkdtemp(join(tmpdir(), 'scaffolder-nginx-'));
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        paymentsServicePlacedIn('payments-api', clusters, lc.namespace),
      ],
      features: [storagePlugin, nginxPlugin],
      containerCloud: {
        storage: {
          volumes: {
            clusters: clusters.map(cluster => ({
              cluster,
              types: [
                { name: 'standard', storageClass: 'local-cloud-standard' },
              ],
            })),
          },
          configFiles: {
            encryptionKey: Buffer.alloc(32, 7).toString('base64'),
          },
        },
        // domains are saved, not published here: no nginx needs to reload
        nginx: {
          clusters: [
            {
              name: 'edge',
              environment: 'test',
              confDir,
              reloadCommand: ['true'],
            },
          ],
        },
      },
    });
    // the service runs in both clusters: the storage backend writes where it runs
    await run(createServiceAction, GUEST, {
      entityRef: ENTITY,
      image: 'registry.example.com/payments/api:1.0.0',
      port: 8080,
      placements: clusters.map(cluster => ({
        cluster,
        namespace: lc.namespace,
      })),
    });
  });

  afterAll(async () => {
    await suite?.backend.stop();
    await rm(confDir, { recursive: true, force: true });
  });

  async function run(
    action: SuiteAction<any, any>,
    user: string,
    input: object,
    isDryRun = false,
  ): Promise<Record<string, unknown>> {
    const ctx = {
      ...createMockActionContext({ input: input as any }),
      isDryRun,
      getInitiatorCredentials: async () => mockCredentials.user(user),
    };
    await scaffolderAction(action, suite.deps).handler(ctx as any);
    return Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
  }

  const claim = (cluster: LocalCloudClusterName, name: string) =>
    lc
      .kubeConfig(cluster)
      .makeApiClient(CoreV1Api)
      .listNamespacedPersistentVolumeClaim({ namespace: lc.namespace })
      .then(list => list.items.find(c => c.metadata?.name?.includes(name)));

  describe('container-cloud:storage:volume:create', () => {
    const volume = {
      entityRef: ENTITY,
      name: 'data',
      type: 'standard',
      size: '1Gi',
      accessMode: 'ReadWriteOnce',
    };

    it('reports in a dry run, creates a claim in every cluster, and finds it on a re-run', async () => {
      expect(await run(createVolumeAction, GUEST, volume, true)).toMatchObject({
        outcome: 'would-create',
      });
      expect(await claim(clusters[0], 'data')).toBeUndefined();

      expect(await run(createVolumeAction, GUEST, volume)).toMatchObject({
        volume: 'data',
        outcome: 'created',
        clusters: expect.arrayContaining(clusters),
        storageUrl:
          'http://localhost:3000/catalog/default/component/payments-api/storage',
      });
      expect(await claim(clusters[1], 'data')).toBeDefined();

      expect(await run(createVolumeAction, GUEST, volume)).toMatchObject({
        outcome: 'unchanged',
      });
    });

    it('fails the step for the same name with another size, changing nothing', async () => {
      await expect(
        run(createVolumeAction, GUEST, { ...volume, size: '2Gi' }),
      ).rejects.toThrow(/has a volume named 'data' already, with .*size 1Gi/);
    });

    it('fails the step for a user without the permission, with the backend’s words', async () => {
      await expect(
        run(createVolumeAction, BOB, { ...volume, name: 'bobs' }),
      ).rejects.toThrow(/may not|only its owners/);
      expect(await claim(clusters[0], 'bobs')).toBeUndefined();
    });

    it('runs "Add a volume to my service" through the scaffolder’s own dry run, as the guest', async () => {
      const template = yaml.load(
        readFileSync(
          resolve(
            __dirname,
            '../../../../examples/templates/add-volume/template.yaml',
          ),
          'utf8',
        ),
      );
      const res = await request(suite.backend.server)
        .post('/api/scaffolder/v2/dry-run')
        .set('Authorization', mockCredentials.user.header(GUEST))
        .send({
          template,
          values: {
            entity: ENTITY,
            name: 'from-template',
            type: 'standard',
            size: '1Gi',
            accessMode: 'ReadWriteOnce',
          },
          secrets: {},
          directoryContents: [],
        });
      expect(res.status).toBe(200);
      expect(res.body.output.links[0].url).toBe(
        'http://localhost:3000/catalog/default/component/payments-api/storage',
      );
      expect(res.body.output.text[0].content).toContain(
        'Volume **from-template**: would-create',
      );
      expect(await claim(clusters[0], 'from-template')).toBeUndefined();
    });

    it('names the storage types the clusters offer for an unknown one', async () => {
      await expect(
        run(createVolumeAction, GUEST, { ...volume, name: 'x', type: 'gold' }),
      ).rejects.toThrow(
        "type: no storage type 'gold'; the clusters offer: standard",
      );
    });
  });

  describe('container-cloud:storage:config:create', () => {
    const set = {
      entityRef: ENTITY,
      name: 'app-config',
      secret: false,
      files: [{ name: 'application.yaml', content: 'server:\n  port: 8080\n' }],
    };

    it('reports in a dry run, creates version 1, and finds it on a re-run', async () => {
      expect(
        await run(createConfigFilesAction, GUEST, set, true),
      ).toMatchObject({
        outcome: 'would-create',
      });
      expect(await run(createConfigFilesAction, GUEST, set)).toMatchObject({
        set: 'app-config',
        outcome: 'created',
        version: 1,
      });
      expect(await run(createConfigFilesAction, GUEST, set)).toMatchObject({
        outcome: 'unchanged',
        version: 1,
      });
    });

    it('fails the step for the same name with other text', async () => {
      await expect(
        run(createConfigFilesAction, GUEST, {
          ...set,
          files: [{ name: 'application.yaml', content: 'other: true\n' }],
        }),
      ).rejects.toThrow("has a config file set named 'app-config' already");
    });

    it('fails the step for a user without the permission', async () => {
      await expect(
        run(createConfigFilesAction, BOB, { ...set, name: 'bobs' }),
      ).rejects.toThrow(/may not|only its owners/);
    });
  });

  describe('container-cloud:nginx:domain:create', () => {
    const domain = () => ({
      entityRef: ENTITY,
      nginxCluster: 'edge',
      name: 'payments-api',
      serverNames: ['payments.test.example.com'],
      port: 8080,
      placements: clusters.map(cluster => ({
        cluster,
        namespace: lc.namespace,
      })),
    });

    it('fails the step for the service’s owner: saving domains is ops admins’', async () => {
      await expect(run(createDomainAction, GUEST, domain())).rejects.toThrow(
        /ops admins/,
      );
    });

    it('as an ops admin: reports in a dry run, saves the domain following the service, finds it on a re-run', async () => {
      expect(
        await run(createDomainAction, CAROL, domain(), true),
      ).toMatchObject({ outcome: 'would-create', published: false });
      expect(await run(createDomainAction, CAROL, domain())).toMatchObject({
        domain: 'payments-api',
        nginxCluster: 'edge',
        outcome: 'created',
        version: 1,
        url: 'http://payments.test.example.com',
      });
      expect(await run(createDomainAction, CAROL, domain())).toMatchObject({
        outcome: 'unchanged',
        version: 1,
      });
      await expect(
        run(createDomainAction, CAROL, { ...domain(), listenPort: 8081 }),
      ).rejects.toThrow("has a domain named 'payments-api' already");
    });
  });
  describe('container-cloud:nginx:test-environments:sync', () => {
    it('fails the step for the service’s owner: publishing is ops admins’', async () => {
      await expect(run(syncTestEnvironmentsAction, GUEST, {})).rejects.toThrow(
        /ops admins/,
      );
    });

    it('reports in a dry run; says in the backend’s words when test environments are not configured', async () => {
      expect(
        await run(syncTestEnvironmentsAction, CAROL, {}, true),
      ).toMatchObject({ outcome: 'would-sync' });
      await expect(run(syncTestEnvironmentsAction, CAROL, {})).rejects.toThrow(
        'test environments are not configured (containerCloud.nginx.testEnvironments)',
      );
    });
  });
});
