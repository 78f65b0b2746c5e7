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
import {
  BOB,
  GUEST,
  startSuiteBackend,
} from './__testUtils__/startSuiteBackend';
import { localGitUrlReaderFactory } from './actions/publishLocalGitReader';
import { localGitServerFromConfig } from './actions/publishLocalGitServer';

jest.setTimeout(900_000);

const TEMPLATE = resolve(
  __dirname,
  '../../../examples/templates/nodejs-service/template.yaml',
);

// "New Node.js service" run through the scaffolder's task API by bob (team-orders) for
// team-payments: bob may not create services for a team he is not in. The template's first
// steps (render, publish to the local git server, catalog:register) are not permission-checked
// by the suite; container-cloud:service:create is, acting as bob: the task fails there with the
// services backend's words, and no Deployment, codeflow, build or domain is made.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-refused' });
const NAME = `h10-refused-${Date.now().toString(36)}`;

describe('the "New Node.js service" template for a team the user is not in', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];
  const localCloud = yaml.load(
    readFileSync(process.env.LOCAL_CLOUD_APP_CONFIG!, 'utf8'),
  ) as any;
  const git = localGitServerFromConfig(
    mockServices.rootConfig({ data: localCloud }),
  )!;
  const gitAuth = `Basic ${Buffer.from(
    `${git.username}:${git.password}`,
  ).toString('base64')}`;
  const template = yaml.load(readFileSync(TEMPLATE, 'utf8')) as Entity;
  template.metadata.annotations = {
    'backstage.io/managed-by-location': `file:${TEMPLATE}`,
    'backstage.io/managed-by-origin-location': `file:${TEMPLATE}`,
  };
  const api = () => request(suite.backend.server);

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
          trustedOrigins: [FIXTURES_ORIGIN, `url:${git.url}/*`],
        },
      },
    });
  });

  afterAll(async () => {
    await suite?.backend.stop();
    await fetch(`${git.url}/api/repos/${NAME}`, {
      method: 'DELETE',
      headers: { authorization: gitAuth },
    });
  });

  async function runTask(user: string) {
    const auth = mockCredentials.user.header(user);
    const started = await api()
      .post('/api/scaffolder/v2/tasks')
      .set('Authorization', auth)
      .send({
        templateRef: 'template:default/nodejs-service',
        values: {
          name: NAME,
          description: 'A Node.js service',
          replicas: 1,
          port: 8080,
          initialImage: 'registry.example.com/mirror/node:22-slim',
          nginxCluster: 'local',
          // a domain is asked for: the domain step would run if the task got that far
          serverName: `${NAME}.test.example.com`,
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
    ).body as Array<{
      body: { message?: string; stepId?: string; status?: string };
    }>;
    const stepStatus: Record<string, string> = {};
    for (const e of events) {
      if (e.body.stepId && e.body.status) {
        stepStatus[e.body.stepId] = e.body.status;
      }
    }
    return {
      task,
      stepStatus,
      log: events.map(e => e.body.message ?? '').join('\n'),
    };
  }

  async function deploymentIn(cluster: LocalCloudClusterName) {
    try {
      return await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
    } catch (e: any) {
      if (e?.code === 404) return undefined;
      throw e;
    }
  }

  it('bob (team-orders) choosing team-payments: the service step fails in words, nothing runs in the clusters', async () => {
    const { task, stepStatus, log } = await runTask(BOB);
    expect(task.status).toBe('failed');
    // the refusal is the services backend's, in words, on the service step
    expect(stepStatus.service).toBe('failed');
    expect(log).toContain('only its owners and ops admins may');
    // nothing after it ran (the scaffolder marks them skipped): no codeflow, no build, no domain
    for (const later of ['codeflow', 'run', 'domain']) {
      expect(stepStatus[later]).toBe('skipped');
    }
    for (const cluster of clusters) {
      expect(await deploymentIn(cluster)).toBeUndefined();
    }
    // looked at as the guest (an owner of the new component): no codeflow for it
    const codeflows = await api()
      .get(`/api/codeflow/services/default/${NAME}/codeflows`)
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(codeflows.status).toBe(200);
    expect(codeflows.body.items).toEqual([]);

    // What did run before the refusal: the publish and register steps are not checked against
    // the suite's permissions (publishing uses the portal's git credential; catalog:register
    // only needs catalog access). So the repository exists and its entity is in the catalog —
    // owned by team-payments, whose members can build it or delete it; bob cannot deploy it.
    expect(stepStatus.publish).toBe('completed');
    expect(stepStatus.register).toBe('completed');
    expect(stepStatus.catalog).toBe('completed');
    const repo = await fetch(`${git.url}/api/repos/${NAME}`, {
      headers: { authorization: gitAuth },
    });
    expect(repo.status).toBe(200);
  });
});
