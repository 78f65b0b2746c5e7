import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import { ImageRegistries } from '@internal/plugin-container-cloud-node';
import { pushExampleImage, useLocalCloud } from '@internal/local-cloud/testing';
import http from 'node:http';
import { AddressInfo } from 'node:net';
import request from 'supertest';
import { clusterLocators } from '../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// Tags from the local cloud's real registry (Debian's docker-registry, the CNCF distribution),
// standing for registry.example.com; a repository of this test file's own.
const lc = useLocalCloud({ namespacePrefix: 'tags' });
const ALICE = 'user:default/alice';
const TAGS = ['1.9.0', '1.10.0', '2.0.0-rc1', '2.0.0', 'latest'];

describe('image tags for the upgrade dialog', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let repository: string;
  let image: string;
  let refusing: http.Server;

  beforeAll(async () => {
    repository = `${lc.namespace}/payments-api`;
    image = `registry.example.com/${repository}:1.9.0`;
    for (const tag of TAGS) {
      await pushExampleImage(lc.info.registry.url, repository, tag);
    }
    // a registry that refuses every credential
    refusing = http
      .createServer((_req, res) => {
        res.writeHead(401, { 'Content-Type': 'application/json' });
        res.end('{"errors":[{"code":"UNAUTHORIZED"}]}');
      })
      .listen(0, '127.0.0.1');
    await new Promise(resolve => refusing.once('listening', resolve));
    const refusingUrl = `http://127.0.0.1:${
      (refusing.address() as AddressInfo).port
    }`;

    const cluster = lc.info.clusters[0];
    const labels = {
      app: 'payments-api',
      'backstage.io/kubernetes-id': 'payments-api',
    };
    await lc
      .kubeConfig(cluster.name)
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: {
          metadata: { name: 'payments-api', labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: 'payments-api' } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  { name: 'app', image },
                  { name: 'proxy', image: 'locked.example.com/proxy:1' },
                ],
              },
            },
          },
        },
      });
    backend = await startServicesBackend({
      clusters: clusterLocators([cluster]),
      containerCloud: {
        registries: [
          { host: 'registry.example.com', url: lc.info.registry.url },
          {
            host: 'locked.example.com',
            url: refusingUrl,
            auth: { type: 'bearer', token: 'wrong' },
          },
        ],
      },
    });
    // the watch cache sees the Deployment (and so the images the service runs) shortly
    for (let i = 0; i < 120; i++) {
      const view = await request(backend.server)
        .get('/api/services/services/default/payments-api')
        .set('Authorization', mockCredentials.user.header(ALICE));
      const seen = view.body.clusters?.some((c: any) =>
        c.deployments.some((d: any) => d.namespace === lc.namespace),
      );
      if (seen) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }
  });

  afterAll(async () => {
    await backend?.stop();
    refusing?.close();
  });

  const tags = (forImage: string) =>
    request(backend.server)
      .get('/api/services/services/default/payments-api/image-tags')
      .set('Authorization', mockCredentials.user.header(ALICE))
      .query({ image: forImage });

  it('lists the repository’s tags from the registry, newest version first', async () => {
    const res = await tags(image);
    expect(res.status).toBe(200);
    expect(res.body).toEqual({
      host: 'registry.example.com',
      repository,
      tags: ['2.0.0', '2.0.0-rc1', '1.10.0', '1.9.0', 'latest'],
      truncated: false,
    });
  });

  it('follows the registry’s pages', async () => {
    const paged = new ImageRegistries(
      [{ host: 'registry.example.com', url: lc.info.registry.url }],
      { pageSize: 2 },
    );
    expect((await paged.tags(image)).tags).toHaveLength(TAGS.length);
    const capped = new ImageRegistries(
      [{ host: 'registry.example.com', url: lc.info.registry.url }],
      { pageSize: 2, maxTags: 3 },
    );
    expect(await capped.tags(image)).toMatchObject({ truncated: true });
  });

  it('says which registry failed and why', async () => {
    const res = await tags('locked.example.com/proxy:1');
    expect(res.status).toBe(503);
    expect(res.body.error.message).toBe(
      "registry locked.example.com refused the portal's credentials (401)",
    );
  });

  it('lists only repositories the service runs, and says when no registry is configured', async () => {
    const other = await tags('registry.example.com/orders/orders-api:1.0.0');
    expect(other.status).toBe(404);
    expect(other.body.error.message).toContain(
      'runs no image from registry.example.com/orders/orders-api',
    );
    const bad = await tags('registry.example.com/x:1 ; rm');
    expect(bad.status).toBe(400);
  });
});
