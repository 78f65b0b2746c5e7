import {
  coreServices,
  createBackendPlugin,
} from '@backstage/backend-plugin-api';
import { mockCredentials } from '@backstage/backend-test-utils';
import { catalogServiceRef } from '@backstage/plugin-catalog-node';
import { AppsV1Api, CoreV1Api, V1Deployment } from '@kubernetes/client-node';
import {
  containerCloudClustersServiceRef,
  serviceBindingsServiceRef,
} from '@internal/plugin-container-cloud-node';
import {
  serviceEntity,
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  ALICE,
  BOB,
  CAROL,
  localCloudClusters,
  startCodeflowBackend,
} from '../__testUtils__/startCodeflowBackend';
import { createRollout } from './createRollout';
import { RolloutError, RolloutSink } from './types';

jest.setTimeout(300_000);

// Against the local cloud's two clusters (real kube-apiservers, controller-managers and
// schedulers; kwok runs the pods and marks them ready). The catalog, the permission policy and
// the bindings are the real ones, in a test backend.
const lc = useLocalCloud({ namespacePrefix: 'cfr' });
const OLD = 'registry.example.com/rollout-demo:1.0.0';
const NEW = `127.0.0.1:5000/codeflow/rollout-demo:abc1234-7`;
const STUCK_TIMEOUT_SECONDS = 8;

type RolloutDepsOf = Parameters<typeof createRollout>[0];
let rolloutDeps: RolloutDepsOf | undefined;

/** A plugin of the test backend that hands the services a codeflow backend has to the test. */
const rolloutDepsProbe = createBackendPlugin({
  pluginId: 'rollout-probe',
  register(env) {
    env.registerInit({
      deps: {
        clusters: containerCloudClustersServiceRef,
        bindings: serviceBindingsServiceRef,
        catalog: catalogServiceRef,
        auth: coreServices.auth,
        permissions: coreServices.permissions,
        auditor: coreServices.auditor,
        logger: coreServices.logger,
        config: coreServices.rootConfig,
      },
      async init(deps) {
        rolloutDeps = deps;
      },
    });
  },
});

function deployment(
  namespace: string,
  name: string,
  options: { replicas: number; nodeSelector?: Record<string, string> },
): V1Deployment {
  const labels = { app: name, 'backstage.io/kubernetes-id': name };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name, namespace, labels },
    spec: {
      replicas: options.replicas,
      selector: { matchLabels: { app: name } },
      template: {
        metadata: { labels },
        spec: {
          containers: [{ name: 'app', image: OLD }],
          nodeSelector: options.nodeSelector,
        },
      },
    },
  };
}

function recordingSink() {
  const log: string[] = [];
  const started: string[] = [];
  const finished: Array<{ step: string; status: string; detail?: string }> = [];
  const sink: RolloutSink = {
    stepStarted: async step => {
      started.push(step);
    },
    stepFinished: async (step, outcome) => {
      finished.push({ step, ...outcome });
    },
    log: (_step, text) => log.push(text),
    signal: new AbortController().signal,
  };
  return { sink, log, started, finished };
}

/** the roll-out's audit events (the catalog records its own reads too) */
const upgrades = (events: RecordedAuditEvent[]) =>
  events.filter(e => e.eventId === 'service-upgrade');

const run = {
  runId: 'run-it-1',
  runNumber: 3,
  codeflowId: 'cf-it',
  codeflowName: 'main',
};

describe('the codeflow roll-out on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startCodeflowBackend>>;
  const audit: RecordedAuditEvent[] = [];
  const apps = (cluster: 'local-a' | 'local-b') =>
    lc.kubeConfig(cluster).makeApiClient(AppsV1Api);
  const core = (cluster: 'local-a' | 'local-b') =>
    lc.kubeConfig(cluster).makeApiClient(CoreV1Api);

  beforeAll(async () => {
    const ns = lc.namespace;
    for (const cluster of ['local-a', 'local-b'] as const) {
      await apps(cluster).createNamespacedDeployment({
        namespace: ns,
        body: deployment(ns, 'rollout-demo', { replicas: 2 }),
      });
    }
    // in local-b, outside rollout-narrow's binding
    await apps('local-b').createNamespacedDeployment({
      namespace: ns,
      body: deployment(ns, 'rollout-narrow', { replicas: 1 }),
    });
    // its pods can go nowhere: no node carries the label
    await apps('local-a').createNamespacedDeployment({
      namespace: ns,
      body: deployment(ns, 'rollout-stuck', {
        replicas: 1,
        nodeSelector: { 'container-cloud.io/no-such-node': 'true' },
      }),
    });
    const team = 'group:default/team-payments';
    backend = await startCodeflowBackend({
      clusters: localCloudClusters(),
      codeflow: { runs: { rolloutTimeoutSeconds: STUCK_TIMEOUT_SECONDS } },
      entities: [
        serviceEntity('rollout-demo', team, {
          'container-cloud.io/placements': `local-a/${ns},local-b/${ns}`,
        }),
        serviceEntity('rollout-narrow', team, {
          'container-cloud.io/placements': `local-a/${ns}`,
        }),
        serviceEntity('rollout-stuck', team, {
          'container-cloud.io/placements': `local-a/${ns}`,
        }),
      ],
      features: [rolloutDepsProbe],
      services: [recordingAuditor(audit)],
    });
  });

  afterAll(async () => {
    await backend?.stop();
  });

  const demoTarget = () => ({
    service: 'component:default/rollout-demo',
    environment: 'test',
    placements: [
      { cluster: 'local-a', namespace: lc.namespace },
      { cluster: 'local-b', namespace: lc.namespace },
    ],
  });

  it("lets the service's owners and ops admins roll it, not another team", async () => {
    const rollout = createRollout(rolloutDeps!);
    await expect(
      rollout.checkUserMayRoll([demoTarget()], mockCredentials.user(ALICE)),
    ).resolves.toBeUndefined();
    await expect(
      rollout.checkUserMayRoll([demoTarget()], mockCredentials.user(CAROL)),
    ).resolves.toBeUndefined();
    await expect(
      rollout.checkUserMayRoll([demoTarget()], mockCredentials.user(BOB)),
    ).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringMatching(
        /^targets\.0: you may not roll component:default\/rollout-demo/,
      ),
    });
    await expect(
      rollout.checkUserMayRoll(
        [
          {
            ...demoTarget(),
            placements: [
              { cluster: 'local-a', namespace: lc.namespace },
              { cluster: 'nowhere', namespace: lc.namespace },
            ],
          },
        ],
        mockCredentials.user(ALICE),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^targets\.0\.placements\.1\.cluster: there is no cluster nowhere/,
      ),
    });
    await expect(
      rollout.checkUserMayRoll(
        [{ ...demoTarget(), service: 'component:default/no-such-service' }],
        mockCredentials.user(ALICE),
      ),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^targets\.0\.service: there is no service/,
      ),
    });
  });

  it('rolls the new image to both clusters and waits until their pods run it', async () => {
    const rollout = createRollout(rolloutDeps!, { timeoutSeconds: 240 });
    const { sink, log, started, finished } = recordingSink();
    const before = audit.length;
    await rollout.roll({
      ...run,
      image: NEW,
      targets: [demoTarget()],
      actor: { kind: 'user', userRef: ALICE },
      sink,
    });
    const steps = rollout.stepsOf([demoTarget()]);
    expect(steps).toEqual([
      `rollout local-a/${lc.namespace}`,
      `rollout local-b/${lc.namespace}`,
    ]);
    expect(started).toEqual(steps);
    expect(finished.map(f => [f.step, f.status])).toEqual(
      steps.map(s => [s, 'succeeded']),
    );
    for (const cluster of ['local-a', 'local-b'] as const) {
      const d = await apps(cluster).readNamespacedDeployment({
        namespace: lc.namespace,
        name: 'rollout-demo',
      });
      expect(d.spec?.template?.spec?.containers?.[0].image).toBe(NEW);
      // when roll() returned, every pod left is of the new template, and ready
      const pods = await core(cluster).listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: 'app=rollout-demo',
      });
      expect(pods.items).toHaveLength(2);
      for (const pod of pods.items) {
        expect(pod.spec?.containers?.[0].image).toBe(NEW);
        expect(
          pod.status?.conditions?.find(c => c.type === 'Ready')?.status,
        ).toBe('True');
      }
    }
    expect(log.join('')).toMatch(/2\/2 updated, 2 available/);
    const events = upgrades(audit.slice(before));
    expect(events).toEqual(
      ['local-a', 'local-b'].map(cluster => ({
        eventId: 'service-upgrade',
        outcome: 'success',
        meta: expect.objectContaining({
          actor: ALICE,
          entityRef: 'component:default/rollout-demo',
          cluster,
          namespace: lc.namespace,
          deployment: 'rollout-demo',
          container: 'app',
          from: OLD,
          to: NEW,
          codeflowRun: { id: run.runId, number: run.runNumber },
        }),
      })),
    );
  });

  it('refuses a placement outside the binding and writes nothing there', async () => {
    const rollout = createRollout(rolloutDeps!);
    const target = {
      service: 'component:default/rollout-narrow',
      environment: 'test',
      placements: [{ cluster: 'local-b', namespace: lc.namespace }],
    };
    await expect(
      rollout.checkUserMayRoll([target], mockCredentials.user(ALICE)),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(
        /^targets\.0\.placements\.0: component:default\/rollout-narrow may not touch namespace/,
      ),
    });
    const read = () =>
      apps('local-b').readNamespacedDeployment({
        namespace: lc.namespace,
        name: 'rollout-narrow',
      });
    const before = await read();
    const beforeAudit = audit.length;
    const { sink, finished } = recordingSink();
    const rolled = rollout.roll({
      ...run,
      image: NEW,
      targets: [target],
      actor: {
        kind: 'codeflow-owner',
        codeflowId: 'cf-it',
        owner: 'group:default/team-payments',
        savedBy: ALICE,
      },
      sink,
    });
    await expect(rolled).rejects.toThrow(RolloutError);
    await expect(rolled).rejects.toMatchObject({
      kind: 'rollout-refused',
      step: `rollout local-b/${lc.namespace}`,
      message: expect.stringMatching(
        new RegExp(`^local-b/${lc.namespace}: refused: .*may not touch`),
      ),
    });
    expect(finished).toEqual([]);
    const after = await read();
    expect(after.metadata?.resourceVersion).toBe(
      before.metadata?.resourceVersion,
    );
    expect(after.spec?.template?.spec?.containers?.[0].image).toBe(OLD);
    expect(upgrades(audit.slice(beforeAudit))).toEqual([
      {
        eventId: 'service-upgrade',
        outcome: 'fail',
        meta: expect.objectContaining({
          actor: `codeflow cf-it for group:default/team-payments, saved by ${ALICE}`,
          cluster: 'local-b',
          error: expect.stringMatching(/may not touch/),
        }),
      },
    ]);
  });

  it('fails as stuck, with the diagnosis, when the new pods cannot become ready', async () => {
    // the timeout from containerCloud.codeflow.runs.rolloutTimeoutSeconds
    const rollout = createRollout(rolloutDeps!);
    const { sink, log } = recordingSink();
    const rolled = rollout.roll({
      ...run,
      image: NEW,
      targets: [
        {
          service: 'component:default/rollout-stuck',
          environment: 'test',
          placements: [{ cluster: 'local-a', namespace: lc.namespace }],
        },
      ],
      actor: { kind: 'user', userRef: ALICE },
      sink,
    });
    await expect(rolled).rejects.toMatchObject({
      name: 'RolloutError',
      kind: 'rollout-stuck',
      message: expect.stringMatching(
        new RegExp(
          `^local-a/${lc.namespace}: not rolled out after ${STUCK_TIMEOUT_SECONDS} s: .*pod rollout-stuck-[a-z0-9-]+: pending: no node can take it; check node selectors`,
        ),
      ),
    });
    // the write happened: the Deployment carries the new image, its new pod waits for a node
    const d = await apps('local-a').readNamespacedDeployment({
      namespace: lc.namespace,
      name: 'rollout-stuck',
    });
    expect(d.spec?.template?.spec?.containers?.[0].image).toBe(NEW);
    expect(log.join('')).toMatch(/0\/1 updated|1\/1 updated, 0 available/);
  });
});
