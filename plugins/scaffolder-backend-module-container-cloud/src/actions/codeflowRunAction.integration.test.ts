import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createFetchTemplateAction } from '@backstage/plugin-scaffolder-backend';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import yaml from 'js-yaml';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
// the real codeflow backend (run engine, local executor, roll-out) the actions call as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import codeflowPlugin from '@internal/plugin-codeflow-backend';
import { AppsV1Api } from '@kubernetes/client-node';
import {
  GUEST,
  localCloudClusters,
  paymentsServicePlacedIn,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { scaffolderAction } from './adapters';
import { codeflowCreateAction } from './codeflowCreateAction';
import { createCodeflowRunAction } from './codeflowRunAction';
import { createServiceAction } from './createServiceAction';
import { createPublishLocalGitAction } from './publishLocalGitAction';
import { localGitServerFromConfig } from './publishLocalGitServer';

jest.setTimeout(900_000);

const TEMPLATE = resolve(
  __dirname,
  '../../../../examples/templates/nodejs-service/template.yaml',
);

// The Node.js golden path's build on the local cloud, step by step as the template does it (the
// catalog entry is a fixture here): the skeleton rendered and pushed to the local git server, the
// service created in both clusters, its codeflow, and codeflow:run building the pushed commit
// with the local executor (git + buildah) and rolling it out; a second run of the step reuses
// the succeeded run.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-run' });
const NAME = `h8-node-${Date.now().toString(36)}`;

describe('container-cloud:codeflow:run on the local cloud (the Node.js template)', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;
  let clusters: LocalCloudClusterName[];
  const localCloud = yaml.load(
    readFileSync(process.env.LOCAL_CLOUD_APP_CONFIG!, 'utf8'),
  ) as any;
  const git = localGitServerFromConfig(
    mockServices.rootConfig({ data: localCloud }),
  )!;
  const dir = mkdtempSync(join(tmpdir(), 'cc-run-'));

  beforeAll(async () => {
    clusters = lc.info.clusters.map(c => c.name);
    suite = await startSuiteBackend({
      clusters: localCloudClusters(lc.info),
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments'),
        paymentsServicePlacedIn(NAME, clusters, lc.namespace),
      ],
      features: [codeflowPlugin],
      containerCloud: { codeflow: localCloud.containerCloud.codeflow },
    });
  });

  afterAll(async () => {
    await suite?.backend.stop();
    rmSync(dir, { recursive: true, force: true });
    await fetch(`${git.url}/api/repos/${NAME}`, {
      method: 'DELETE',
      headers: {
        authorization: `Basic ${Buffer.from(
          `${git.username}:${git.password}`,
        ).toString('base64')}`,
      },
    });
  });

  function step(action: any, input: object, logs: string[] = []) {
    const outputs: Record<string, any> = {};
    const base = createMockActionContext({ input: input as any });
    const ctx = {
      ...base,
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      logger: {
        ...base.logger,
        info: (m: string) => logs.push(m),
        error: (m: string) => logs.push(m),
      },
      getInitiatorCredentials: async () => mockCredentials.user(GUEST),
    };
    return scaffolderAction(action, suite.deps)
      .handler(ctx as any)
      .then(() => outputs);
  }

  it('builds the pushed commit, rolls it out to both clusters, and reuses the run on a re-run', async () => {
    const entityRef = `component:default/${NAME}`;
    const placements = clusters.map(cluster => ({
      cluster,
      namespace: lc.namespace,
    }));
    // 1. the skeleton, rendered with the template's own fetch step
    const workspace = join(dir, 'workspace');
    const fetchTemplate = createFetchTemplateAction({
      reader: {} as any,
      integrations: {} as any,
    });
    const fetchCtx = createMockActionContext({
      input: {
        url: './skeleton',
        values: {
          name: NAME,
          description: 'built by the scaffolder module’s test',
          owner: 'group:default/team-payments',
          system: 'system:default/payments',
          port: 8080,
          placements,
        },
      },
      workspacePath: workspace,
      templateInfo: {
        entityRef: 'template:default/nodejs-service',
        baseUrl: pathToFileURL(TEMPLATE).toString(),
      },
    });
    fetchCtx.createTemporaryDirectory = async () =>
      mkdtempSync(join(dir, 'fetched-'));
    await fetchTemplate.handler(fetchCtx as any);

    // 2. published to the local git server
    const published: Record<string, any> = {};
    await createPublishLocalGitAction({ server: git }).handler({
      ...createMockActionContext({
        input: { repoName: NAME },
        workspacePath: workspace,
      }),
      output: (name: string, value: unknown) => {
        published[name] = value;
      },
    } as any);
    expect(published.outcome).toBe('pushed');

    // 3. the service, 4. its codeflow (the template's inputs)
    await step(createServiceAction, {
      entityRef,
      image: 'registry.example.com/mirror/node:22-slim',
      port: 8080,
      placements,
      readinessProbe: { path: '/healthz', port: 8080 },
    });
    const template = yaml.load(readFileSync(TEMPLATE, 'utf8')) as any;
    const codeflowInput = template.spec.steps.find(
      (s: { id: string }) => s.id === 'codeflow',
    ).input;
    const codeflow = await step(codeflowCreateAction, {
      ...codeflowInput,
      entityRef,
      repositoryUrl: published.cloneUrl,
      port: 8080,
      targets: [{ service: entityRef, environment: 'test', placements }],
    });
    expect(codeflow.outcome).toBe('created');

    // 5. the run, until rolled out
    const runAction = createCodeflowRunAction({ pollIntervalMs: 1000 });
    const runInput = {
      entityRef,
      codeflow: 'build-and-deploy',
      ref: { kind: 'branch', name: 'main' },
      commit: published.commitSha,
      environment: 'test',
      wait: 'rolled-out',
      timeoutMinutes: 14,
    };
    const logs: string[] = [];
    const first = await step(runAction, runInput, logs).catch(error => {
      throw new Error(`${error.message}\n${logs.join('\n')}`);
    });
    expect(first).toMatchObject({
      number: 1,
      status: 'succeeded',
      outcome: 'started',
      commit: published.commitSha,
    });
    expect(logs.join('\n')).toContain('  push: succeeded');
    for (const cluster of clusters) {
      const deployment = await lc
        .kubeConfig(cluster)
        .makeApiClient(AppsV1Api)
        .readNamespacedDeployment({ name: NAME, namespace: lc.namespace });
      // the pushed image (its tag, or its digest), no longer the image service:create set
      const deployed = deployment.spec?.template.spec?.containers[0].image;
      expect(deployed).not.toBe('registry.example.com/mirror/node:22-slim');
      expect(deployed?.startsWith(first.image.replace(/:[^:/]+$/, ''))).toBe(
        true,
      );
    }

    // a re-run of the template: the same commit's succeeded run, nothing built
    const again = await step(runAction, runInput);
    expect(again).toMatchObject({ number: 1, outcome: 'reused' });
  });
});
