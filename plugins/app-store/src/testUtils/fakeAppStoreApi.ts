import type {
  ChartDetail,
  ChartList,
  InstanceDetail,
  InstanceSummary,
} from '@internal/plugin-container-cloud-common';
import type { SignalApi } from '@backstage/plugin-signals-react';
import type { AppStoreApi } from '../api/AppStoreClient';

export const redisChart: ChartList['items'][number] = {
  repository: 'local',
  name: 'redis',
  description: 'Redis 7 for test environments',
  keywords: ['cache', 'key-value'],
  versions: [
    { version: '7.2.1', appVersion: '7.2.4' },
    { version: '7.2.0', appVersion: '7.2.3' },
  ],
};

export const charts: ChartList = {
  items: [
    redisChart,
    {
      repository: 'local',
      name: 'mysql',
      description: 'MySQL 8',
      keywords: [],
      versions: [{ version: '8.0.1', appVersion: '8.0.36' }],
    },
  ],
  repositories: [
    {
      name: 'local',
      kind: 'oci',
      url: 'oci://127.0.0.1:5000/charts',
      ok: true,
    },
    {
      name: 'partner',
      kind: 'index',
      url: 'https://charts.example.com',
      ok: false,
      error: 'GET index.yaml: 503 Service Unavailable',
    },
  ],
};

export const redisDetail: ChartDetail = {
  repository: 'local',
  name: 'redis',
  version: '7.2.1',
  appVersion: '7.2.4',
  description: 'Redis 7',
  readme: '# Redis',
  defaultValues: 'preset: small\n',
  // the shape of charts/redis/values.schema.json
  valuesSchema: {
    type: 'object',
    properties: {
      preset: {
        title: 'Size',
        type: 'string',
        enum: ['small', 'medium', 'large'],
        default: 'small',
      },
      storage: {
        title: 'Storage',
        type: 'object',
        properties: {
          size: { title: 'Volume size', type: 'string', default: '8Gi' },
          storageClass: { title: 'StorageClass', type: 'string' },
        },
      },
      auth: {
        title: 'Credentials',
        type: 'object',
        properties: { password: { title: 'Password', type: 'string' } },
      },
      maxmemoryPolicy: {
        type: 'string',
        title: 'Eviction policy',
        enum: ['noeviction', 'allkeys-lru'],
        default: 'noeviction',
      },
      metrics: {
        type: 'object',
        title: 'Metrics',
        properties: { enabled: { type: 'boolean', default: false } },
      },
      podAnnotations: {
        type: 'object',
        additionalProperties: { type: 'string' },
      },
      tolerations: { type: 'array', items: { type: 'object' } },
    },
  },
};

export const targets = {
  items: [
    {
      owner: 'component:default/payments-api',
      cluster: 'local-a',
      namespace: 'payments',
    },
    {
      owner: 'component:default/payments-api',
      cluster: 'local-b',
      namespace: 'payments',
    },
    {
      owner: 'group:default/team-payments',
      cluster: 'local-a',
      namespace: 'payments',
    },
  ],
};

export const summary: InstanceSummary = {
  cluster: 'local-a',
  namespace: 'payments',
  name: 'cache',
  repository: 'local',
  chart: 'redis',
  version: '7.2.1',
  owner: 'component:default/payments-api',
  environment: 'test',
  phase: 'ready',
  createdBy: 'user:default/guest',
  createdAt: '2026-12-07T02:00:00Z',
  expiresAt: new Date(Date.now() + 6.6 * 86_400_000).toISOString(),
  ready: { ready: 1, total: 1 },
  simulated: true,
};

export const detail: InstanceDetail = {
  ...summary,
  progress: [
    { step: 'helm', state: 'done', message: 'release deployed' },
    { step: 'pods', state: 'done', message: '1/1 ready' },
    { step: 'ready', state: 'done', message: 'ready' },
  ],
  pods: [
    {
      name: 'cache-redis-0',
      phase: 'Running',
      ready: true,
      node: 'kwok-node-0',
      simulated: true,
    },
  ],
  connection: {
    host: 'cache-redis.payments.svc.cluster.local',
    port: 6379,
    user: 'default',
    passwordSecret: { name: 'cache-redis', key: 'password' },
  },
  history: [
    {
      revision: 1,
      status: 'superseded',
      chart: 'redis-7.2.0',
      updated: '2026-12-07T02:00:00Z',
      description: 'Install complete',
    },
    {
      revision: 2,
      status: 'deployed',
      chart: 'redis-7.2.1',
      updated: '2026-12-07T02:10:00Z',
      description: 'Upgrade complete',
    },
  ],
};

export type FakeAppStoreApi = AppStoreApi & {
  [K in keyof AppStoreApi]: jest.Mock;
};

/** An app store API whose every method is a jest mock; a test overrides what it reads. */
export function fakeAppStoreApi(
  overrides: Partial<Record<keyof AppStoreApi, jest.Mock>> = {},
): FakeAppStoreApi {
  const api = {
    charts: jest.fn(async () => charts),
    chart: jest.fn(async () => redisDetail),
    targets: jest.fn(async () => targets),
    instances: jest.fn(async () => ({
      items: [summary],
      totalCount: 1,
      unreachable: [],
    })),
    install: jest.fn(async () => summary),
    instance: jest.fn(async () => detail),
    upgrade: jest.fn(async () => summary),
    rollback: jest.fn(async () => summary),
    extend: jest.fn(async () => summary),
    reveal: jest.fn(async () => ({ password: 's3cret-P4ssword!' })),
    attach: jest.fn(async () => ({
      service: 'component:default/payments-api',
      cluster: 'local-a',
      namespace: 'payments',
      deployment: 'payments-api',
      container: 'app',
      variables: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_USER', 'REDIS_PASSWORD'],
      notes: [],
    })),
    remove: jest.fn(async () => ({})),
    adminInstances: jest.fn(async () => ({
      items: [{ ...summary, ageSeconds: 3600 }],
      totalCount: 1,
      unreachable: [],
    })),
    adminExtend: jest.fn(async () => ({ results: [] })),
    adminDelete: jest.fn(async () => ({ results: [] })),
  };
  return Object.assign(api, overrides) as FakeAppStoreApi;
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
