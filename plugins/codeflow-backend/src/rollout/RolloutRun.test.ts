import { mockServices } from '@backstage/backend-test-utils';
import type { Entity } from '@backstage/catalog-model';
import type { V1Deployment, V1Pod } from '@kubernetes/client-node';
import type { DeploymentView } from '@internal/plugin-container-cloud-common';
import {
  DeploymentConflictError,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import type { RecordedAuditEvent } from '@internal/plugin-container-cloud-node/testing';
import { RolloutDeps, RolloutRun } from './RolloutRun';
import { RolloutError, RolloutSink } from './types';

// The apiserver cannot be made to answer 409 on demand between a read and a write, so these
// tests stand in for the cluster layer; the integration test runs the same code on the local cloud.
const OLD = 'registry.example.com/payments/api:1.0.0';
const NEW = `127.0.0.1:5000/codeflow/payments-api:abc1234-7`;
const REV = 'deployment.kubernetes.io/revision';
const SERVICE = 'component:default/payments-api';

const entity: Entity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'payments-api' },
  spec: {},
};

function deploymentAt(
  version: number,
  image: string,
  rolled = false,
): V1Deployment {
  return {
    metadata: {
      name: 'payments-api',
      namespace: 'payments',
      uid: 'd1',
      resourceVersion: String(version),
      generation: 2,
      annotations: { [REV]: '2' },
      labels: { 'backstage.io/kubernetes-id': 'payments-api' },
    },
    spec: {
      replicas: 1,
      selector: { matchLabels: { app: 'payments-api' } },
      template: { spec: { containers: [{ name: 'app', image }] } },
    },
    status: rolled
      ? {
          observedGeneration: 2,
          replicas: 1,
          updatedReplicas: 1,
          availableReplicas: 1,
        }
      : {
          observedGeneration: 2,
          replicas: 2,
          updatedReplicas: 1,
          availableReplicas: 1,
        },
  };
}

const newPod: V1Pod = {
  metadata: {
    name: 'payments-api-new-1',
    ownerReferences: [
      { kind: 'ReplicaSet', uid: 'rs2', name: 'rs2', apiVersion: 'apps/v1' },
    ],
  },
  status: {
    phase: 'Pending',
    conditions: [
      {
        type: 'PodScheduled',
        status: 'False',
        reason: 'Unschedulable',
        message:
          "0/2 nodes are available: 2 node(s) did not match Pod's node affinity/selector.",
      },
    ],
  },
};

/** The cluster layer, standing in: `upgrade` answers 409 `conflicts` times, then writes. */
function standIn(conflicts: number, options: { rolls?: boolean } = {}) {
  let version = 1;
  let image = OLD;
  const upgrades: Array<{
    resourceVersion?: string;
    container: string;
    image: string;
  }> = [];
  const operations = {
    upgrade: jest.fn(
      async (
        target: { resourceVersion?: string },
        container: string,
        to: string,
      ) => {
        upgrades.push({
          resourceVersion: target.resourceVersion,
          container,
          image: to,
        });
        if (upgrades.length <= conflicts) {
          version += 1; // someone else wrote it in between
          throw new DeploymentConflictError('changed', {} as DeploymentView);
        }
        version += 1;
        image = to;
        return {} as DeploymentView;
      },
    ),
    get: jest.fn(async () =>
      deploymentAt(version, image, options.rolls !== false),
    ),
  };
  const clusters = {
    names: ['c1'],
    operations: () => operations,
    connection: () => ({
      apps: {
        listNamespacedDeployment: async () => ({
          items: [deploymentAt(version, image)],
        }),
        listNamespacedReplicaSet: async () => ({
          items: [
            {
              metadata: {
                uid: 'rs2',
                name: 'rs2',
                annotations: { [REV]: '2' },
                ownerReferences: [
                  {
                    kind: 'Deployment',
                    uid: 'd1',
                    name: 'payments-api',
                    apiVersion: 'apps/v1',
                  },
                ],
              },
            },
          ],
        }),
      },
      core: { listNamespacedPod: async () => ({ items: [newPod] }) },
    }),
    events: () => ({ eventsOf: async () => [] }),
  };
  return { clusters, operations, upgrades };
}

function deps(clusters: unknown, events: RecordedAuditEvent[]): RolloutDeps {
  return {
    clusters: clusters as RolloutDeps['clusters'],
    bindings: {
      resolve: async () =>
        new ServiceBinding(SERVICE, {
          state: 'bound',
          kubernetesId: 'payments-api',
          placements: [{ cluster: 'c1', namespace: 'payments' }],
        }),
    },
    catalog: { getEntityByRef: async () => entity },
    auth: mockServices.auth(),
    logger: mockServices.logger.mock(),
    auditor: {
      async createEvent({ eventId, meta }) {
        return {
          async success() {
            events.push({ eventId, outcome: 'success', meta });
          },
          async fail({ error }) {
            events.push({
              eventId,
              outcome: 'fail',
              meta: { ...meta, error: error.message },
            });
          },
        };
      },
    },
  };
}

function recordingSink(signal = new AbortController().signal) {
  const log: string[] = [];
  const finished: Array<{ step: string; status: string; detail?: string }> = [];
  const sink: RolloutSink = {
    stepStarted: async () => {},
    stepFinished: async (step, outcome) => {
      finished.push({ step, ...outcome });
    },
    log: (_step, text) => log.push(text),
    signal,
  };
  return { sink, log, finished };
}

const input = {
  runId: 'run-1',
  runNumber: 7,
  codeflowId: 'cf-1',
  codeflowName: 'main',
  image: NEW,
  targets: [
    {
      service: SERVICE,
      environment: 'test',
      placements: [{ cluster: 'c1', namespace: 'payments' }],
    },
  ],
};

describe('RolloutRun', () => {
  it('reads again and tries again on a 409, each write under the version just read and audited', async () => {
    const { clusters, upgrades } = standIn(2);
    const events: RecordedAuditEvent[] = [];
    const { sink, finished, log } = recordingSink();
    await new RolloutRun(
      deps(clusters, events),
      { timeoutSeconds: 60, pollIntervalMs: 1 },
      {
        ...input,
        actor: {
          kind: 'codeflow-owner',
          codeflowId: 'cf-1',
          owner: 'group:default/team-payments',
          savedBy: 'user:default/alice',
        },
        sink,
      },
    ).run();
    // versions 1, then 2 and 3 as re-read after each conflict
    expect(upgrades.map(u => u.resourceVersion)).toEqual(['1', '2', '3']);
    expect(upgrades.every(u => u.container === 'app' && u.image === NEW)).toBe(
      true,
    );
    expect(events.map(e => e.outcome)).toEqual(['fail', 'fail', 'success']);
    expect(events[2]).toEqual({
      eventId: 'service-upgrade',
      outcome: 'success',
      meta: expect.objectContaining({
        actor:
          'codeflow cf-1 for group:default/team-payments, saved by user:default/alice',
        entityRef: SERVICE,
        cluster: 'c1',
        namespace: 'payments',
        deployment: 'payments-api',
        container: 'app',
        from: OLD,
        to: NEW,
        codeflowRun: { id: 'run-1', number: 7 },
      }),
    });
    expect(finished).toEqual([
      {
        step: 'rollout c1/payments',
        status: 'succeeded',
        detail: `payments-api (app) run ${NEW}`,
      },
    ]);
    expect(log.join('')).toMatch(/changed since it was read.*trying again/);
  });

  it('gives up after 3 retries, in words with the image the Deployment has now', async () => {
    const { clusters, upgrades } = standIn(10);
    const events: RecordedAuditEvent[] = [];
    const { sink, finished } = recordingSink();
    const rolled = new RolloutRun(
      deps(clusters, events),
      { timeoutSeconds: 60, pollIntervalMs: 1 },
      {
        ...input,
        actor: { kind: 'user', userRef: 'user:default/alice' },
        sink,
      },
    ).run();
    await expect(rolled).rejects.toThrow(RolloutError);
    await expect(rolled).rejects.toMatchObject({
      kind: 'rollout-refused',
      step: 'rollout c1/payments',
      message: expect.stringMatching(
        /c1\/payments: deployment payments-api changed under the roll-out 4 times .*container app at registry\.example\.com\/payments\/api:1\.0\.0/,
      ),
    });
    expect(upgrades).toHaveLength(4);
    expect(events.map(e => [e.outcome, e.meta?.actor])).toEqual(
      Array(4).fill(['fail', 'user:default/alice']),
    );
    expect(finished).toEqual([]);
  });

  it('is stuck past the timeout, with the diagnosis of the new pods', async () => {
    const { clusters } = standIn(0, { rolls: false });
    const { sink } = recordingSink();
    const rolled = new RolloutRun(
      deps(clusters, []),
      { timeoutSeconds: 0, pollIntervalMs: 1 },
      {
        ...input,
        actor: { kind: 'user', userRef: 'user:default/alice' },
        sink,
      },
    ).run();
    await expect(rolled).rejects.toMatchObject({
      kind: 'rollout-stuck',
      message: expect.stringMatching(
        /^c1\/payments: not rolled out after 0 s: 1\/1 updated, 1 available, 2 replicas in all; pod payments-api-new-1: pending: no node can take it/,
      ),
    });
  });

  it('stops when the run is cancelled', async () => {
    const { clusters } = standIn(0, { rolls: false });
    const controller = new AbortController();
    const { sink, log } = recordingSink(controller.signal);
    const origLog = sink.log;
    sink.log = (step, text) => {
      origLog(step, text);
      if (/updated/.test(text)) controller.abort();
    };
    const rolled = new RolloutRun(
      deps(clusters, []),
      { timeoutSeconds: 600, pollIntervalMs: 60_000 },
      {
        ...input,
        actor: { kind: 'user', userRef: 'user:default/alice' },
        sink,
      },
    ).run();
    await expect(rolled).rejects.toMatchObject({
      kind: 'timeout',
      message: expect.stringMatching(/stopped/),
    });
    expect(log.join('')).toMatch(/1\/1 updated/);
  });

  it('refuses an image the services would not accept, before writing anything', async () => {
    const { clusters, upgrades } = standIn(0);
    const { sink } = recordingSink();
    await expect(
      new RolloutRun(
        deps(clusters, []),
        { timeoutSeconds: 60, pollIntervalMs: 1 },
        {
          ...input,
          image: 'Registry/App:1; rm -rf /',
          actor: { kind: 'user', userRef: 'user:default/alice' },
          sink,
        },
      ).run(),
    ).rejects.toMatchObject({
      kind: 'rollout-refused',
      step: 'rollout c1/payments',
      message: expect.stringMatching(
        /cannot be rolled out: not a valid image reference/,
      ),
    });
    expect(upgrades).toEqual([]);
  });
});
