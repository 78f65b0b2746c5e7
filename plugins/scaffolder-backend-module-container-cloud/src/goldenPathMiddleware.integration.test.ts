import { execFileSync } from 'node:child_process';
import { mockCredentials } from '@backstage/backend-test-utils';
import type { BackendFeature } from '@backstage/backend-plugin-api';
import type { LocalCloudClusterName } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { AppsV1Api, CoreV1Api, V1EnvVar } from '@kubernetes/client-node';
import { useGoldenPathBackend } from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" with the optional Redis, through the scaffolder's own task API as the
// guest, on the local cloud: the real app-store backend (Helm, the project's redis chart from the
// local registry) installs the instance owned by the new Component in its first placement and
// attaches it through the real services backend, before the codeflow builds and rolls out.
// kwok runs no Redis process: the instance's pods are simulated (Ready means scheduled and
// marked ready by kwok, nothing answers on 6379), as in the app store's own tests; what is
// checked is what the template makes: the instance, its owner, and the Deployment's environment.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-gp-mw' });
const NAME = `h5-mw-${Date.now().toString(36)}`;
const INSTANCE = `${NAME}-redis`;
const CAROL = 'user:default/carol';

/** The app-store backend's config for the golden-path backend: Helm and the local chart registry. */
function mockAppStoreConfig() {
  return {
    helm: lc.info.helm.binary,
    repositories: [
      {
        name: 'local',
        url: `oci://${new URL(lc.info.registry.url).host}/charts`,
        plainHttp: true,
      },
    ],
  };
}

// useGoldenPathBackend starts the golden path's backend (catalog, services, codeflow, git URL
// reader); the app store is no part of it, so its start gets the real app-store backend and its
// config here
jest.mock('./__testUtils__/startSuiteBackend', () => {
  const actual = jest.requireActual('./__testUtils__/startSuiteBackend');
  return {
    ...actual,
    startSuiteBackend: (options: {
      features?: BackendFeature[];
      containerCloud?: object;
    }) =>
      actual.startSuiteBackend({
        ...options,
        features: [
          ...(options.features ?? []),
          // the real app-store backend, which the install action calls over HTTP as the user
          // eslint-disable-next-line @backstage/no-mixed-plugin-imports
          jest.requireActual('@internal/plugin-app-store-backend').default,
        ],
        containerCloud: {
          ...options.containerCloud,
          appStore: mockAppStoreConfig(),
        },
      }),
  };
});

describe('the "New Node.js service" template with a Redis from the app store', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service with a Redis',
    initialImage: 'registry.example.com/mirror/node:22-slim',
  });
  const guest = mockCredentials.user.header(GUEST);
  const instancePath = (cluster: string) =>
    `/api/app-store/instances/${cluster}/${lc.namespace}/${INSTANCE}`;
  const apps = (cluster: LocalCloudClusterName) =>
    lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
  /** The Helm releases in the test's namespace of `cluster`, as ops would list them. */
  const helmList = (cluster: string) =>
    execFileSync(
      lc.info.helm.binary,
      [
        'list',
        '--all',
        '--short',
        '--namespace',
        lc.namespace,
        '--kubeconfig',
        lc.info.kubeconfig,
        '--kube-context',
        cluster,
      ],
      { encoding: 'utf8' },
    )
      .split('\n')
      .filter(Boolean);
  const envOf = async (cluster: LocalCloudClusterName) =>
    (
      await apps(cluster).readNamespacedDeployment({
        name: NAME,
        namespace: lc.namespace,
      })
    ).spec!.template.spec!.containers[0].env ?? [];

  it('installs a Redis owned by the new service in its first placement, Ready, attached to its Deployment (password as a Secret reference), then builds and rolls out; a re-run finds it', async () => {
    const [first, ...others] = golden.clusters;
    let codeflowId: string | undefined;
    let failure: unknown;
    try {
      // what the form sends for the middleware page (the task API fills no defaults)
      const middleware = {
        middleware: 'redis',
        middlewarePreset: 'small',
        middlewareStorage: '',
        middlewareExpiresInDays: 1,
      };
      const { task, stepStatus, log } = await golden.runTask(GUEST, middleware);
      if (task.status !== 'completed') throw new Error(log);
      expect(stepStatus.redis).toBe('completed');
      expect(stepStatus.mysql).toBe('skipped');
      // the step's progress, in the log: kwok's pods say they are simulated
      expect(log).toContain(`instance ${first}/${lc.namespace}/${INSTANCE}`);
      expect(log).toMatch(/simulated on kwok nodes/);
      expect(log).toContain(
        `connection details attached to component:default/${NAME} as REDIS_HOST, REDIS_PORT, REDIS_PASSWORD`,
      );

      // the instance: Ready, a test instance owned by the new Component, where its first
      // placement is
      const instance = await golden
        .api()
        .get(instancePath(first))
        .set('Authorization', guest);
      expect(instance.status).toBe(200);
      expect(instance.body).toMatchObject({
        cluster: first,
        namespace: lc.namespace,
        name: INSTANCE,
        chart: 'redis',
        owner: `component:default/${NAME}`,
        environment: 'test',
        phase: 'ready',
        simulated: true,
        createdBy: GUEST,
      });
      expect(instance.body.expiresAt).toEqual(expect.any(String));
      const { host, port, passwordSecret } = instance.body.connection;

      // the Deployment where it runs: host and port as values, the password as a reference to
      // the instance's Secret (never a literal), still there after the codeflow's roll-out
      const env = await envOf(first);
      expect(env).toEqual(
        expect.arrayContaining<V1EnvVar>([
          { name: 'REDIS_HOST', value: host },
          { name: 'REDIS_PORT', value: String(port) },
          {
            name: 'REDIS_PASSWORD',
            valueFrom: {
              secretKeyRef: {
                name: passwordSecret.name,
                key: passwordSecret.key,
              },
            },
          },
        ]),
      );
      expect(env.find(e => e.name === 'REDIS_PASSWORD')?.value).toBeUndefined();
      const deployment = await apps(first).readNamespacedDeployment({
        name: NAME,
        namespace: lc.namespace,
      });
      expect(deployment.spec!.template.spec!.containers[0].image).toContain(
        `/${NAME}`,
      );
      // the Secret is where the reference says, in the Deployment's namespace
      const secret = await lc
        .kubeConfig(first)
        .makeApiClient(CoreV1Api)
        .readNamespacedSecret({
          name: passwordSecret.name,
          namespace: lc.namespace,
        });
      expect(Object.keys(secret.data ?? {})).toContain(passwordSecret.key);
      // attach works within the instance's cluster and namespace (the Secret is there only):
      // the service's other placements get no Redis variables
      for (const cluster of others) {
        expect((await envOf(cluster)).map(e => e.name)).not.toContain(
          'REDIS_HOST',
        );
      }

      // the summary: the instance's page, and the line saying where its details went
      const events = await golden
        .api()
        .get(`/api/scaffolder/v2/tasks/${task.id}/events`)
        .set('Authorization', guest);
      const completion = events.body.find(
        (e: { type: string }) => e.type === 'completion',
      );
      const output = completion.body.output;
      expect(output.links).toEqual(
        expect.arrayContaining([
          {
            title: 'Its Redis (password, expiry)',
            url: `http://localhost:3000/app-store/instances/${first}/${lc.namespace}/${INSTANCE}`,
          },
        ]),
      );
      expect(output.links.map((l: { title: string }) => l.title)).not.toContain(
        'Its MySQL (password, expiry)',
      );
      const summary = output.text[0].content as string;
      expect(summary).toContain(`Redis **${INSTANCE}** installed (ready)`);
      expect(summary).toContain(`Secret \`${passwordSecret.name}\``);
      expect(summary).not.toContain('MySQL');

      // the same values again: the instance is found (one Helm release), attached again, and the
      // Deployment's environment has each variable once
      const again = await golden.runTask(GUEST, middleware);
      if (again.task.status !== 'completed') throw new Error(again.log);
      expect(again.stepStatus.redis).toBe('completed');
      expect(again.log).toContain(
        `instance ${first}/${lc.namespace}/${INSTANCE}: redis`,
      );
      expect(again.log).toMatch(/is there already \(ready\)/);
      expect(helmList(first).filter(r => r === INSTANCE)).toHaveLength(1);
      const envAgain = await envOf(first);
      for (const name of ['REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD']) {
        expect(envAgain.filter(e => e.name === name)).toHaveLength(1);
      }
      expect(envAgain).toEqual(env);

      const codeflows = await golden
        .api()
        .get(`/api/codeflow/services/default/${NAME}/codeflows`)
        .set('Authorization', guest);
      expect(codeflows.body.items).toHaveLength(1);
      codeflowId = codeflows.body.items[0].id;
    } catch (error) {
      failure = error;
    }
    // cleaned up whatever happened; a failure of the test is reported before the clean-up's
    const problems = await cleanUp(codeflowId);
    if (failure) throw failure;
    expect(problems).toEqual([]);
  });

  /**
   * Removes what the template made, through the backends, and checks each is gone: the
   * instance (Helm release) and the codeflow as the guest (an owner of the new service), the
   * catalog location as carol (unregistering a location is for ops) and the entity as the guest,
   * the Deployments and Services. The repository goes in useGoldenPathBackend's afterAll, the
   * namespace in useLocalCloud's. Answers what could not be removed.
   */
  async function cleanUp(codeflowId: string | undefined): Promise<string[]> {
    const [first] = golden.clusters;
    const problems: string[] = [];
    const attempt = async (what: string, fn: () => Promise<unknown>) => {
      try {
        await fn();
      } catch (error) {
        problems.push(`${what}: ${error}`);
      }
    };
    await attempt('instance', async () => {
      const removed = await golden
        .api()
        .delete(instancePath(first))
        .set('Authorization', guest);
      if (![200, 204, 404].includes(removed.status)) {
        throw new Error(`${removed.status} ${JSON.stringify(removed.body)}`);
      }
      const after = await golden
        .api()
        .get(instancePath(first))
        .set('Authorization', guest);
      if (after.status !== 404) throw new Error(`still there: ${after.status}`);
      // and its Helm release, as ops would list it
      if (helmList(first).includes(INSTANCE)) {
        throw new Error(`Helm release ${INSTANCE} still there`);
      }
    });
    await attempt('codeflow', async () => {
      if (!codeflowId) return;
      const removed = await golden
        .api()
        .delete(
          `/api/codeflow/services/default/${NAME}/codeflows/${codeflowId}`,
        )
        .set('Authorization', guest);
      if (removed.status >= 300) {
        throw new Error(`${removed.status} ${JSON.stringify(removed.body)}`);
      }
    });
    await attempt('catalog', async () => {
      const location = await golden
        .api()
        .get(`/api/catalog/locations/by-entity/component/default/${NAME}`)
        .set('Authorization', guest);
      if (location.status === 200) {
        const removed = await golden
          .api()
          .delete(`/api/catalog/locations/${location.body.id}`)
          .set('Authorization', mockCredentials.user.header(CAROL));
        if (removed.status >= 300) {
          throw new Error(
            `location: ${removed.status} ${JSON.stringify(removed.body)}`,
          );
        }
      }
      const entity = await golden
        .api()
        .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
        .set('Authorization', guest);
      if (entity.status === 200) {
        await golden
          .api()
          .delete(`/api/catalog/entities/by-uid/${entity.body.metadata.uid}`)
          .set('Authorization', guest);
      }
      const after = await golden
        .api()
        .get(`/api/catalog/entities/by-name/component/default/${NAME}`)
        .set('Authorization', guest);
      if (after.status !== 404) throw new Error(`still there: ${after.status}`);
    });
    for (const cluster of golden.clusters) {
      await attempt(`Deployment and Service in ${cluster}`, async () => {
        const kc = lc.kubeConfig(cluster);
        for (const remove of [
          () =>
            kc.makeApiClient(AppsV1Api).deleteNamespacedDeployment({
              name: NAME,
              namespace: lc.namespace,
            }),
          () =>
            kc
              .makeApiClient(CoreV1Api)
              .deleteNamespacedService({ name: NAME, namespace: lc.namespace }),
        ]) {
          await remove().catch((error: any) => {
            if (error?.code !== 404) throw error;
          });
        }
      });
    }
    return problems;
  }
});
