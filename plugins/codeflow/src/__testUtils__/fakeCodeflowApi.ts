import type {
  CodeflowRun,
  CodeflowView,
  CodeflowDockerfile,
  WebhookDelivery,
} from '@internal/plugin-container-cloud-common';
import type { CompoundEntityRef } from '@backstage/catalog-model';
import type { SignalApi } from '@backstage/plugin-signals-react';
import type { PermissionApi } from '@backstage/plugin-permission-react';
import type { CodeflowApi, RunLogHandlers } from '../api/CodeflowClient';

/** The service the tests show: the catalog's payments-api. */
export const paymentsEntity = {
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: {
    name: 'payments-api',
    namespace: 'default',
    annotations: { 'backstage.io/kubernetes-id': 'payments-api' },
  },
  spec: { type: 'service', lifecycle: 'production', owner: 'team-payments' },
};

export const CODEFLOW_ID = 'cf-0123456789abcdef01234567';

export function aCodeflow(overrides: Partial<CodeflowView> = {}): CodeflowView {
  return {
    id: CODEFLOW_ID,
    service: 'component:default/payments-api',
    name: 'build-and-deploy',
    repositoryUrl: 'http://127.0.0.1:9418/payments-api.git',
    credentials: 'local-git',
    ref: { kind: 'branch', pattern: 'main' },
    buildImage: 'node-22',
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    deployPath: '/app',
    startCommand: ['node', 'dist/server.js'],
    port: 8080,
    env: [{ name: 'NODE_ENV', value: 'production' }],
    targets: [
      {
        service: 'component:default/payments-api',
        environment: 'test',
        placements: [
          { cluster: 'local-a', namespace: 'payments' },
          { cluster: 'local-b', namespace: 'payments' },
        ],
      },
    ],
    triggers: { manual: true, webhook: { enabled: false, rules: [] } },
    version: 1,
    createdBy: 'user:default/guest',
    createdAt: '2026-12-07T06:00:00Z',
    updatedBy: 'user:default/guest',
    updatedAt: '2026-12-07T06:00:00Z',
    ...overrides,
  };
}

const STEP_NAMES = [
  'fetch',
  'build',
  'image',
  'push',
  'rollout local-a/payments',
];

export function aRun(
  number: number,
  overrides: Partial<CodeflowRun> = {},
): CodeflowRun {
  const finished =
    overrides.status === undefined || overrides.status === 'succeeded';
  return {
    id: `run-${number.toString(16).padStart(24, '0')}`,
    codeflowId: CODEFLOW_ID,
    service: 'component:default/payments-api',
    number,
    status: 'succeeded',
    trigger: 'manual',
    requestedBy: 'user:default/guest',
    actingFor: 'user:default/guest',
    pushedBy: null,
    ref: { kind: 'branch', name: 'main' },
    commit: {
      sha: 'a1b2c3d4e5f60718293a4b5c6d7e8f9012345678',
      message: 'Add health check',
      author: 'Guest',
    },
    environment: 'test',
    executor: 'local',
    image: finished
      ? `127.0.0.1:5000/codeflow/payments-api:main-${number}`
      : null,
    imageDigest: null,
    preprocessingReused: null,
    steps: STEP_NAMES.map(name => ({
      name,
      status: finished ? 'succeeded' : 'pending',
      startedAt: finished ? '2026-12-07T06:00:00Z' : null,
      finishedAt: finished ? '2026-12-07T06:00:10Z' : null,
      durationMs: finished ? 10_000 : null,
      detail: null,
    })),
    reason: null,
    failureKind: null,
    lastLines: [],
    cancelledBy: null,
    approvedBy: null,
    createdAt: '2026-12-07T06:00:00Z',
    startedAt: finished ? '2026-12-07T06:00:00Z' : null,
    finishedAt: finished ? '2026-12-07T06:00:50Z' : null,
    durationMs: finished ? 50_000 : null,
    logBytes: 0,
    logTruncated: false,
    ...overrides,
  };
}

/** Records the calls a test makes, keeps the codeflows and runs in memory, and holds the live logs' handlers. */
export function fakeCodeflowApi(
  options: { codeflows?: CodeflowView[]; runs?: CodeflowRun[] } = {},
) {
  const codeflows = [...(options.codeflows ?? [])];
  const runs = [...(options.runs ?? [])];
  const calls: Array<{ method: string; args: unknown[] }> = [];
  const streams: Array<{
    runId: string;
    handlers: RunLogHandlers;
    closed: boolean;
  }> = [];
  const record = (method: string, ...args: unknown[]) =>
    calls.push({ method, args });
  const find = (runId: string) => {
    const run = runs.find(r => r.id === runId);
    if (!run) throw new Error(`no run ${runId}`);
    return run;
  };
  const api: jest.Mocked<CodeflowApi> = {
    listCodeflows: jest.fn(async (_entity: CompoundEntityRef) => ({
      items: codeflows,
    })),
    getCodeflow: jest.fn(async (_e, id) => codeflows.find(c => c.id === id)!),
    createCodeflow: jest.fn(async (_e, definition) => {
      record('createCodeflow', definition);
      const created = aCodeflow({
        ...definition,
        id: 'cf-00000000000000000000000f',
      });
      codeflows.push(created);
      return created;
    }),
    updateCodeflow: jest.fn(async (_e, id, update) => {
      record('updateCodeflow', id, update);
      const { version, ...definition } = update;
      const at = codeflows.findIndex(c => c.id === id);
      codeflows[at] = { ...codeflows[at], ...definition, version: version + 1 };
      return codeflows[at];
    }),
    deleteCodeflow: jest.fn(
      async (_entity: CompoundEntityRef, _id: string, _version?: number) => {},
    ),
    dockerfile: jest.fn(
      async (
        _entity: CompoundEntityRef,
        _id: string,
      ): Promise<CodeflowDockerfile> => ({
        dockerfile:
          'FROM node:22-slim\nUSER 10001:10001\nENTRYPOINT ["node", "dist/server.js"]\n',
        generated: true,
        buildArgs: [
          'CODEFLOW_REVISION',
          'CODEFLOW_CREATED',
          'CODEFLOW_BUILD_ID',
        ],
        preprocessing: {
          dockerfile:
            'FROM python:3.12-slim\nRUN ["pip", "install", "flask==3.0.0"]\n',
          key: '3f2a9c0d1e2b3c4d5e6f708192a3b4c5d6e7f8091a2b3c4d5e6f708192a3b4c5',
        },
      }),
    ),
    buildImages: jest.fn(async () => ({
      items: [
        {
          id: 'node-22',
          title: 'Node 22',
          image: 'node:22',
          runtimeImage: 'node:22-slim',
        },
        {
          id: 'python-3.12',
          title: 'Python 3.12',
          image: 'python:3.12',
          runtimeImage: 'python:3.12-slim',
        },
      ],
    })),
    credentials: jest.fn(async () => ({
      items: [{ name: 'local-git', description: 'the local git server' }],
    })),
    webhookStatus: jest.fn(async (_e, id) => ({
      codeflowId: id,
      configured: false,
      setAt: null,
      setBy: null,
      urls: {
        gitlab: `http://localhost:7007/api/codeflow/webhooks/gitlab/${id}`,
        gitea: `http://localhost:7007/api/codeflow/webhooks/gitea/${id}`,
        github: `http://localhost:7007/api/codeflow/webhooks/github/${id}`,
      },
    })),
    setWebhookSecret: jest.fn(async (_e, id) => ({
      codeflowId: id,
      configured: true,
      setAt: '2026-12-07T06:30:00Z',
      setBy: 'user:default/guest',
      urls: { gitlab: 'g', gitea: 'e', github: 'h' },
      secret: 's3cr3t-shown-once',
      rotated: false,
    })),
    deliveries: jest.fn(
      async (_entity: CompoundEntityRef, _id: string, _limit?: number) => ({
        items: [] as WebhookDelivery[],
      }),
    ),
    startRun: jest.fn(async (_e, _id, request) => {
      record('startRun', request);
      const run = aRun(runs.length + 1, {
        status: 'queued',
        ref: {
          kind: request.ref?.kind ?? 'branch',
          name: request.ref?.name ?? 'main',
        },
        commit: null,
      });
      runs.unshift(run);
      return run;
    }),
    listRuns: jest.fn(async (_e, _id, query = {}) => {
      const limit = query.limit ?? 20;
      const older = runs
        .filter(r => query.before === undefined || r.number < query.before)
        .sort((a, b) => b.number - a.number);
      const items = older.slice(0, limit);
      return {
        items,
        nextBefore:
          older.length > limit ? items[items.length - 1].number : null,
        active: runs.filter(
          r => r.status === 'queued' || r.status === 'running',
        ).length,
      };
    }),
    getRun: jest.fn(async (_e, _id, runId) => ({ ...find(runId) })),
    cancelRun: jest.fn(async (_e, _id, runId) => {
      record('cancelRun', runId);
      const run = find(runId);
      Object.assign(run, {
        status: 'cancelled',
        cancelledBy: 'user:default/guest',
        reason: 'cancelled by guest',
      });
      return { ...run };
    }),
    approveRun: jest.fn(async (_e, _id, runId) => {
      record('approveRun', runId);
      const run = find(runId);
      Object.assign(run, {
        status: 'running',
        approvedBy: 'user:default/guest',
      });
      return { ...run };
    }),
    downloadLog: jest.fn(async (_e, _id, runId) => ({
      fileName: `build-and-deploy-${find(runId).number}.log`,
      blob: new Blob(['log']),
    })),
    streamLog: jest.fn((_e, _id, runId, handlers) => {
      const stream = { runId, handlers, closed: false };
      streams.push(stream);
      return () => {
        stream.closed = true;
      };
    }),
  };
  return { api, calls, codeflows, runs, streams };
}

/** A signals API the test drives: the subscriber of each channel. */
export function fakeSignals() {
  const subscribers = new Map<string, (message: any) => void>();
  const api: SignalApi = {
    subscribe(channel, onMessage) {
      subscribers.set(channel, onMessage as (message: any) => void);
      return { unsubscribe: () => subscribers.delete(channel) };
    },
  };
  return { subscribers, api };
}

/**
 * A permission API whose answer per permission the test chooses (allowed unless listed in
 * `denied`), remembering which resource each question named.
 */
export function fakePermissions(denied: string[] = []) {
  const asked: Array<{ permission: string; resourceRef?: string }> = [];
  const api = {
    authorize: async (request: {
      permission: { name: string };
      resourceRef?: string;
    }) => {
      asked.push({
        permission: request.permission.name,
        resourceRef: request.resourceRef,
      });
      return {
        result: denied.includes(request.permission.name) ? 'DENY' : 'ALLOW',
      };
    },
  } as unknown as PermissionApi;
  return { api, asked };
}
