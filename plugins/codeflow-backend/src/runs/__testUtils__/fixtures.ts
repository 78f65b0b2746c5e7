import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { mockServices } from '@backstage/backend-test-utils';
import type { CodeflowDefinition } from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import { CodeflowStore } from '../../definitions/CodeflowStore';
import type { CodeflowConfig } from '../../definitions/codeflowConfig';
import { defaultBuildImages } from '../../definitions/codeflowConfig';
import { RunEngine, type RunEngineTimings } from '../RunEngine';
import type { RunsConfig } from '../runsConfig';
import { RunStore } from '../RunStore';
import { TestExecutor, TestRollout } from './doubles';

/** The plugin's migrations on a test database. */
export async function migrate(knex: Knex) {
  await knex.migrate.latest({
    directory: resolvePackagePath(
      '@internal/plugin-codeflow-backend',
      'migrations',
    ),
  });
}

export const GIT_PASSWORD = 'glpat-SECRET-never-in-a-log-7f3a';
export const REGISTRY_PASSWORD = 'registry-SECRET-9b1c';

export const codeflowConfig: CodeflowConfig = {
  buildImages: defaultBuildImages(),
  credentials: [
    {
      name: 'gitlab-payments',
      description: '',
      username: 'ci',
      password: GIT_PASSWORD,
    },
    {
      name: 'registry',
      description: '',
      username: 'push',
      password: REGISTRY_PASSWORD,
    },
  ],
  preprocessingRepository: '127.0.0.1:5000/codeflow/preprocessed',
};

export const runsConfig: RunsConfig = {
  concurrency: 2,
  timeoutMinutes: 30,
  onNewPush: 'queue',
  maxLogBytes: 1024 * 1024,
  registry: {
    repository: '127.0.0.1:5000/codeflow',
    insecure: true,
    credentials: 'registry',
  },
  executor: 'local',
};

export const definition: CodeflowDefinition = {
  name: 'build-and-deploy',
  repositoryUrl: 'https://git.example.com/payments/api.git',
  credentials: 'gitlab-payments',
  ref: { kind: 'branch', pattern: 'main' },
  buildImage: 'node-22',
  buildScript: [['npm', 'ci']],
  artifactPath: 'dist',
  deployPath: '/app',
  startCommand: ['node', 'dist/server.js'],
  port: 8080,
  env: [],
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
  triggers: {
    manual: true,
    webhook: {
      enabled: true,
      rules: [
        {
          ref: { kind: 'branch', pattern: 'main' },
          environment: 'test',
          approval: false,
        },
      ],
    },
  },
};

let names = 0;

/** A codeflow of payments-api, or of `service` (a fresh name each time). */
export async function createCodeflow(
  knex: Knex,
  overrides: Partial<CodeflowDefinition> = {},
  service = 'component:default/payments-api',
) {
  names += 1;
  return new CodeflowStore(knex).create(
    service,
    { ...definition, name: `flow-${names}`, ...overrides },
    'user:default/alice',
  );
}

/** A run engine on the database with stand-ins, polling every 50 ms once started. */
export function testEngine(
  knex: Knex,
  options: {
    executor?: TestExecutor;
    rollout?: TestRollout;
    config?: Partial<RunsConfig>;
    replicaId?: string;
    timings?: Partial<RunEngineTimings>;
    signals?: { publish(message: object): Promise<void> };
  } = {},
) {
  const executor = options.executor ?? new TestExecutor();
  const rollout = options.rollout ?? new TestRollout();
  const store = new RunStore(knex);
  const engine = new RunEngine({
    store,
    codeflows: new CodeflowStore(knex),
    config: { ...runsConfig, ...options.config },
    codeflowConfig,
    executor,
    rollout,
    logger: mockServices.logger.mock(),
    replicaId: options.replicaId,
    signals: options.signals as any,
    timings: {
      watchMs: 50,
      logFlushMs: 20,
      lostAfterMs: 60_000,
      ...options.timings,
    },
  });
  return { engine, store, executor, rollout };
}

/** Waits until `check` gives a value (fails with `what` after a generous bound). */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined | false> | T | undefined | false,
  boundMs = 30_000,
): Promise<T> {
  const until = Date.now() + boundMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > until) throw new Error(`waited in vain for ${what}`);
    await new Promise(resolve => setTimeout(resolve, 20));
  }
}

/** Records a webhook run request as the webhook part does. */
export async function insertRequest(
  knex: Knex,
  codeflowId: string,
  overrides: Record<string, unknown> = {},
): Promise<number> {
  const [row] = await knex('codeflow_run_requests')
    .insert({
      codeflow_id: codeflowId,
      status: 'queued',
      trigger: 'gitlab-push',
      ref: 'main',
      ref_kind: 'branch',
      commit_sha: 'abcdef1234567890abcdef1234567890abcdef12',
      commit_message: 'a pushed change',
      commit_author: 'Alice',
      environment: 'test',
      requested_by: 'group:default/team-payments',
      pushed_by: 'alice',
      created_at: new Date(),
      ...overrides,
    })
    .returning('id');
  return Number(typeof row === 'object' ? row.id : row);
}
