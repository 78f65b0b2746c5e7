import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import scaffolderEntityModel from '@backstage/plugin-catalog-backend-module-scaffolder-entity-model';
import yaml from 'js-yaml';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  FIXTURES_ORIGIN,
  serviceEntity,
} from '@internal/plugin-container-cloud-node/testing';
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import codeflowPlugin from '@internal/plugin-codeflow-backend';
import { AppsV1Api } from '@kubernetes/client-node';
import request from 'supertest';
import { GUEST, startSuiteBackend } from './__testUtils__/startSuiteBackend';
import { localGitUrlReaderFactory } from './actions/publishLocalGitReader';
import { localGitServerFromConfig } from './actions/publishLocalGitServer';

jest.setTimeout(900_000);

const TEMPLATE = resolve(
  __dirname,
  '../../../examples/templates/nodejs-service/template.yaml',
);

// "New Node.js service" through the scaffolder's own task API as the guest, on the local cloud:
// the repository on the local git server, the entity in the catalog (read through the module's
// URL reader), the Deployments in both clusters, the codeflow and its first build rolled out; a
// second task with the same values duplicates nothing.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-golden' });
const NAME = `h8-golden-${Date.now().toString(36)}`;

describe('the "New Node.js service" template through the scaffolder', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];
  const localCloud = yaml.load(
    readFileSync(process.env.LOCAL_CLOUD_APP_CONFIG!, 'utf8'),
  ) as any;
  const git = localGitServerFromConfig(
    mockServices.rootConfig({ data: localCloud }),
  )!;
  const template = yaml.load(readFileSync(TEMPLATE, 'utf8')) as Entity;
  template.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${TEMPLATE}`,
    'backstage.io/managed-by-origin-location': `file:${TEMPLATE}`,
  };

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    suite = await startSuiteBackend({
      clusters: lc.info.clusters.map(c => ({
        name: c.name,
        url: c.url,
        authProvider: 'serviceAccount',
        serviceAccountToken: c.serviceAccountToken,
        caData: c.caData,
      })),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments'),
        template,
      ],
      features: [
        codeflowPlugin,
        scaffolderEntityModel,
        localGitUrlReaderFactory,
      ],
      containerCloud: {
        codeflow: localCloud.containerCloud.codeflow,
        binding: {
          // the local git server's repositories are trusted origins on the local cloud
          trustedOrigins: [FIXTURES_ORIGIN, `url:${git.url}/*`],
        },
      },
    });
  });

  afterAll(async () => {
    await suite?.backend.stop();
    await fetch(`${git.url}/api/repos/${NAME}`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(
          `${git.username}:${git.password}`,
        ).toString('base64')}`,
      },
    });
  });

  async function runTask() {
    const api = () => request(suite.backend.server);
    const auth = mockCredentials.user.header(GUEST);
    const started = await api()
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({
        templateRef: 'template:default/nodejs-service',
        values: {
          // what the form sends: its defaults too (the API fills none)
          name: NAME,
          description: 'A Node.js service',
          replicas: 1,
          port: 8080,
          initialImage: 'registry.example.com/mirror/node:22-slim',
          nginxCluster: 'local',
          owner: 'group:default/team-payments',
          system: 'system:default/payments',
          placements: clusters.map(cluster => ({
            cluster,
            namespace: lc.namespace,
          })),
        },
      });
    if (started.status !== 201) throw new Error(JSON.stringify(started.body));
    let task: any;
    do {
      await new Promise(r => setTimeout(r, 1000));
      task = (
        await api()
          .get(`/api/scaffolder/v2/tasks/${started.body.id}`)
          .set('Authorization', auth)
      ).body;
    } while (task.status === 'open' || task.status === 'processing');
    const events = (
      await api()
        .get(`/api/scaffolder/v2/tasks/${started.body.id}/events`)
        .set('Authorization', auth)
    ).body as Array<{ body: { message?: string } }>;
    return {
      task,
      log: events.map(e => e.body.message ?? '').join('\n'),
    };
  }

  it('creates a running, built service; a second run duplicates nothing and says why it stops', async () => {
    const first = await runTask();
    if (first.task.status !== 'completed') throw new Error(first.log);
    expect(first.log).toContain(`created repository ${NAME}`);
    expect(first.log).toMatch(/run #1: succeeded/);
    const entity = await request(suite.backend.server)
      .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(entity.status).toBe(200);
    for (const cluster of clusters) {
      const deployment = await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
      expect(deployment.spec?.template.spec?.containers[0].image).toContain(
        `/${NAME}`,
      );
    }

    // the same values again: the repository and the location are found, and the step that would
    // change a service the codeflow has rolled since stops with a clear message; nothing doubles
    const second = await runTask();
    expect(second.task.status).toBe('failed');
    expect(second.log).toContain('nothing pushed');
    expect(second.log).toContain(`${NAME} is in the catalog`);
    expect(second.log).toMatch(
      /exists with another spec \(image: .*≠ registry\.example\.com\/mirror\/node:22-slim\); nothing was changed/,
    );
    const codeflows = await request(suite.backend.server)
      .get(`/api/codeflow/services/default/${NAME}/codeflows`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(codeflows.body.items).toHaveLength(1);
    const runs = await request(suite.backend.server)
      .get(
        `/api/codeflow/services/default/${NAME}/codeflows/${codeflows.body.items[0].id}/runs`,
      )
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(runs.body.items).toHaveLength(1);
  });
});
