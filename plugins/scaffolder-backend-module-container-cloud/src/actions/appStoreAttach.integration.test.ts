import { AppsV1Api } from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  APP_STORE_CLUSTER as CLUSTER,
  helmReleases,
  startAppStoreSuite,
} from '../__testUtils__/appStoreSuite';
import { GUEST, runSuiteAction } from '../__testUtils__/startSuiteBackend';
import { appStoreInstallAction } from './appStoreInstallAction';
import { appStoreUninstallAction } from './appStoreUninstallAction';
import { createServiceAction } from './createServiceAction';
import type { SuiteAction } from './SuiteAction';

jest.setTimeout(300_000);

// container-cloud:app-store:install's attachTo on the local cloud: the real app-store backend
// attaches through the real services backend's configuration operation, as the guest.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-asa' });

describe('the app store install action attaching to a service', () => {
  let suite: Awaited<ReturnType<typeof startAppStoreSuite>>;

  beforeAll(async () => {
    suite = await startAppStoreSuite(lc);
  });

  afterAll(() => suite?.backend.stop());

  const helmList = () => helmReleases(lc);
  const run = async (
    action: SuiteAction<any, any>,
    user: string,
    input: object,
  ) => (await runSuiteAction(suite.deps, action, user, input)).outputs;
  const redis = (name: string) => ({
    chart: 'redis',
    owner: 'component:default/payments-api',
    cluster: CLUSTER,
    namespace: lc.namespace,
    name,
    readyTimeoutSeconds: 240,
  });
  const where = (name: string) => ({
    cluster: CLUSTER,
    namespace: lc.namespace,
    name,
  });

  it('attaches a ready instance to the service: its Deployment gets the host and port, and the password as a reference to the instance’s Secret', async () => {
    // payments-api's Deployment where the instance will run, through the services backend
    await run(createServiceAction, GUEST, {
      entityRef: 'component:default/payments-api',
      image: 'registry.example.com/payments/api:1.0.0',
      port: 8080,
      placements: [{ cluster: CLUSTER, namespace: lc.namespace }],
    });
    const apps = lc.kubeConfig(CLUSTER).makeApiClient(AppsV1Api);
    const deployment = () =>
      apps.readNamespacedDeployment({
        namespace: lc.namespace,
        name: 'payments-api',
      });
    for (let i = 0; i < 240; i++) {
      if ((await deployment()).status?.readyReplicas === 1) break;
      await new Promise(resolve => setTimeout(resolve, 500));
    }

    const out = await run(appStoreInstallAction, GUEST, {
      ...redis('attached'),
      attachTo: { service: 'payments-api', prefix: 'REDIS_' },
    });
    expect(out).toMatchObject({
      outcome: 'installed',
      phase: 'ready',
      attachedTo: 'component:default/payments-api',
      variables: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'],
    });
    expect(out.passwordSecret).toEqual(expect.any(String));
    const env = (await deployment()).spec!.template.spec!.containers[0].env;
    expect(env).toEqual(
      expect.arrayContaining([
        { name: 'REDIS_HOST', value: out.host },
        { name: 'REDIS_PORT', value: String(out.port) },
        {
          name: 'REDIS_PASSWORD',
          valueFrom: {
            secretKeyRef: {
              name: out.passwordSecret,
              key: out.passwordSecretKey,
            },
          },
        },
      ]),
    );
    // the reference, never the value
    expect(env!.find(e => e.name === 'REDIS_PASSWORD')?.value).toBeUndefined();

    await run(appStoreUninstallAction, GUEST, where('attached'));
    expect(helmList().map(r => r.name)).not.toContain('attached');
  });
});
