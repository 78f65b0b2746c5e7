import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  BUILD_STEP_NAMES,
  CodeflowRun,
  codeflowRunListSchema,
  codeflowRunRequestSchema,
  codeflowRunSchema,
  CodeflowView,
  codeflowViewSchema,
} from '@internal/plugin-container-cloud-common';
import { SuiteClient } from '../lib/SuiteClient';
import { scaffolderAction } from './adapters';
import { createCodeflowRunAction } from './codeflowRunAction';

// The runs contract's cases the real engine cannot be made to produce at will (a failed run with
// its reason, a run still going, a 403 or 400 of the start), against a loopback server that
// parses every request body and every answer with the contract's schemas (contract/
// codeflowRuns.ts). The real engine is in codeflowRunAction.integration.test.ts.

const GUEST = 'user:default/guest';
const CODEFLOW_ID = 'cf-0123456789abcdef01234567';
const SHA = 'a3f1c0de5b1e2d3c4b5a69788796a5b4c3d2e1f0';
const BASE = '/services/default/payments-api/codeflows';

const codeflow: CodeflowView = codeflowViewSchema.parse({
  id: CODEFLOW_ID,
  service: 'component:default/payments-api',
  name: 'build-and-deploy',
  repositoryUrl: 'http://127.0.0.1:9/payments-api.git',
  credentials: null,
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
      placements: [{ cluster: 'local-a', namespace: 'payments' }],
    },
  ],
  triggers: { manual: true, webhook: { enabled: false, rules: [] } },
  version: 1,
  createdBy: GUEST,
  createdAt: '2026-12-07T06:00:00.000Z',
  updatedBy: GUEST,
  updatedAt: '2026-12-07T06:00:00.000Z',
});

const STEPS = [
  ...BUILD_STEP_NAMES.filter(s => s !== 'preprocess'),
  'rollout local-a/payments',
];

/** A run at stage `at` of its steps: the steps before it succeeded, `at` running. */
function runAt(
  number: number,
  at: number,
  overrides: Partial<CodeflowRun> = {},
) {
  const done = at >= STEPS.length;
  let status = 'running';
  if (at < 0) status = 'queued';
  else if (done) status = 'succeeded';
  const stepStatus = (i: number) => {
    if (i < at) return 'succeeded';
    return i === at ? 'running' : 'pending';
  };
  return codeflowRunSchema.parse({
    id: `run-${String(number).padStart(24, '0')}`,
    codeflowId: CODEFLOW_ID,
    service: 'component:default/payments-api',
    number,
    status,
    trigger: 'manual',
    requestedBy: GUEST,
    actingFor: GUEST,
    pushedBy: null,
    ref: { kind: 'branch', name: 'main' },
    commit: at >= 1 ? { sha: SHA, message: 'first', author: 'Guest' } : null,
    environment: 'test',
    executor: 'local',
    image: at > 3 ? '127.0.0.1:5000/codeflow/payments-api:main-a3f1c0d' : null,
    imageDigest: at > 3 ? 'sha256:1234' : null,
    preprocessingReused: null,
    steps: STEPS.map((name, i) => ({
      name,
      status: stepStatus(i),
      startedAt: i <= at ? '2026-12-07T06:00:00.000Z' : null,
      finishedAt: i < at ? '2026-12-07T06:00:01.000Z' : null,
      durationMs: i < at ? 1000 : null,
      detail: i < at && name === 'push' ? 'pushed …@sha256:1234' : null,
    })),
    reason: null,
    failureKind: null,
    lastLines: [],
    cancelledBy: null,
    approvedBy: null,
    createdAt: '2026-12-07T06:00:00.000Z',
    startedAt: at >= 0 ? '2026-12-07T06:00:00.000Z' : null,
    finishedAt: done ? '2026-12-07T06:00:09.000Z' : null,
    durationMs: done ? 9000 : null,
    logBytes: 100,
    logTruncated: false,
    ...overrides,
  });
}

/** A codeflow backend speaking the runs contract: each GET of a run moves it one stage on. */
class FakeCodeflowBackend {
  server!: Server;
  runs: CodeflowRun[] = [];
  /** what each started run goes through, GET after GET */
  script: (number: number) => CodeflowRun[] = n =>
    STEPS.map((_, i) => runAt(n, i)).concat([runAt(n, STEPS.length)]);
  private progress = new Map<string, CodeflowRun[]>();

  /** a run an earlier attempt started, and what it goes through next */
  seed(run: CodeflowRun, next: CodeflowRun[]) {
    this.runs.push(run);
    this.progress.set(run.id, next);
  }
  started: unknown[] = [];
  tokens: string[] = [];
  /** an answer forced on POST …/runs */
  refuse?: { status: number; message: string };

  async start() {
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', c => (body += c));
      req.on('end', () => {
        this.tokens.push(String(req.headers.authorization));
        const send = (status: number, value: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(value));
        };
        const url = new URL(req.url!, 'http://x');
        const path = url.pathname;
        if (req.method === 'GET' && path === BASE) {
          return send(200, { items: [codeflow] });
        }
        if (path === `${BASE}/${CODEFLOW_ID}/runs` && req.method === 'GET') {
          const items = [...this.runs].reverse();
          return send(
            200,
            codeflowRunListSchema.parse({ items, nextBefore: null, active: 0 }),
          );
        }
        if (path === `${BASE}/${CODEFLOW_ID}/runs` && req.method === 'POST') {
          if (this.refuse) {
            return send(this.refuse.status, {
              error: { name: 'Error', message: this.refuse.message },
            });
          }
          const request = codeflowRunRequestSchema.parse(JSON.parse(body));
          this.started.push(request);
          const number = this.runs.length + 1;
          const [queued, ...rest] = [runAt(number, -1), ...this.script(number)];
          this.runs.push(queued);
          this.progress.set(queued.id, rest);
          return send(202, queued);
        }
        const one = /\/runs\/(run-[0-9a-f]{24})$/.exec(path);
        if (one && req.method === 'GET') {
          const index = this.runs.findIndex(r => r.id === one[1]);
          if (index < 0) return send(404, { error: { message: 'no run' } });
          const next = this.progress.get(one[1])?.shift();
          if (next) this.runs[index] = next;
          return send(200, this.runs[index]);
        }
        return send(404, { error: { message: `no route ${path}` } });
      });
    });
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
  }

  get url() {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }
}

describe('container-cloud:codeflow:run (against the runs contract)', () => {
  const backend = new FakeCodeflowBackend();
  const action = createCodeflowRunAction({ pollIntervalMs: 5 });

  beforeAll(() => backend.start());
  afterAll(() => new Promise(r => backend.server.close(r)));
  beforeEach(() => {
    backend.runs = [];
    backend.started = [];
    backend.refuse = undefined;
    backend.script = n =>
      STEPS.map((_, i) => runAt(n, i)).concat([runAt(n, STEPS.length)]);
  });

  async function run(input: object, options: { dryRun?: boolean } = {}) {
    const client = new SuiteClient({
      discovery: {
        getBaseUrl: async () => backend.url,
        getExternalBaseUrl: async () => backend.url,
      },
      auth: mockServices.auth(),
    });
    const outputs: Record<string, any> = {};
    const logs: string[] = [];
    const base = createMockActionContext({ input: input as any });
    const ctx = {
      ...base,
      isDryRun: options.dryRun,
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
    try {
      await scaffolderAction(action, {
        client,
        appBaseUrl: 'http://localhost:3000',
      }).handler(ctx as any);
    } catch (error) {
      Object.assign(error as object, { logs });
      throw error;
    }
    return { outputs, logs };
  }

  const input = {
    entityRef: 'component:default/payments-api',
    codeflow: 'build-and-deploy',
    ref: { kind: 'branch', name: 'main' },
    commit: SHA,
    environment: 'test',
  };

  it('starts a run as the user, logs each step, and waits until it is rolled out', async () => {
    const { outputs, logs } = await run(input);
    expect(backend.started).toEqual([
      {
        ref: { kind: 'branch', name: 'main' },
        commit: SHA,
        environment: 'test',
      },
    ]);
    // a token issued on behalf of the guest, never the plugin's own
    expect(backend.tokens.every(t => t.includes('guest'))).toBe(true);
    expect(outputs).toMatchObject({
      runId: 'run-000000000000000000000001',
      number: 1,
      status: 'succeeded',
      outcome: 'started',
      image: '127.0.0.1:5000/codeflow/payments-api:main-a3f1c0d',
      commit: SHA,
      runUrl:
        'http://localhost:3000/catalog/default/component/payments-api/codeflow?run=run-000000000000000000000001',
    });
    const text = logs.join('\n');
    expect(text).toContain('run #1 of codeflow build-and-deploy queued');
    for (const step of STEPS) {
      expect(text).toContain(`  ${step}: running`);
      expect(text).toContain(`  ${step}: succeeded in 1.0 s`);
    }
    expect(text).toContain('run #1: succeeded');
  });

  it('a re-run with the same commit finds the succeeded run and builds nothing', async () => {
    await run(input);
    backend.started = [];
    const { outputs, logs } = await run({ ...input, commit: SHA.slice(0, 7) });
    expect(backend.started).toEqual([]);
    expect(outputs).toMatchObject({ number: 1, outcome: 'reused' });
    expect(logs.join('\n')).toContain('nothing built again');
  });

  it('follows a run of that commit that is still going instead of starting another', async () => {
    backend.seed(runAt(1, 2), [runAt(1, 3), runAt(1, STEPS.length)]);
    const { outputs, logs } = await run(input);
    expect(backend.started).toEqual([]);
    expect(outputs).toMatchObject({
      number: 1,
      outcome: 'followed',
      status: 'succeeded',
    });
    expect(logs.join('\n')).toContain(
      'run #1 of this commit is running: following it instead of building again',
    );
  });

  it('with wait: pushed, returns once the image is pushed', async () => {
    backend.script = n => [runAt(n, 1), runAt(n, 4), runAt(n, 4)];
    const { outputs } = await run({ ...input, wait: 'pushed' });
    expect(outputs).toMatchObject({
      status: 'running',
      image: expect.any(String),
    });
  });

  it('with wait: none, returns once queued', async () => {
    const { outputs } = await run({ ...input, wait: 'none' });
    expect(outputs).toMatchObject({ status: 'queued', outcome: 'started' });
  });

  it('fails the step with the run’s reason in words and logs the failed step’s last lines', async () => {
    backend.script = n => [
      runAt(n, 2),
      runAt(n, 2, {
        status: 'failed',
        reason: '3 tests failed (node --test)',
        failureKind: 'test-failure',
        lastLines: ['# fail 3'],
        steps: runAt(n, 2).steps.map(s =>
          s.name === 'build' ? { ...s, status: 'failed' } : s,
        ),
      }),
    ];
    const failed = run(input);
    await expect(failed).rejects.toThrow(
      'run #1 of codeflow build-and-deploy failed at step build: 3 tests failed (node --test) (test-failure)',
    );
    const logs: string[] = await failed.catch(e => e.logs);
    expect(logs).toContain('  | # fail 3');
    // a failed run is built again on the next attempt, not reused
    backend.script = n => [runAt(n, STEPS.length)];
    const again = await run(input);
    expect(again.outputs).toMatchObject({ number: 2, outcome: 'started' });
  });

  it('a dry run starts nothing and checks the environment', async () => {
    const { outputs, logs } = await run(input, { dryRun: true });
    expect(backend.started).toEqual([]);
    expect(outputs).toMatchObject({ outcome: 'would-run', runId: '' });
    expect(logs.join('\n')).toContain(
      `would run codeflow build-and-deploy (branch main at ${SHA})`,
    );
    await expect(
      run({ ...input, environment: 'production' }, { dryRun: true }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        "environment: production is none of codeflow build-and-deploy's targets' environments (test)",
      ),
    });
  });

  it('fails with the backend’s 403 and 400 in its words', async () => {
    backend.refuse = {
      status: 403,
      message:
        'you may not container-cloud.codeflow.run component:default/payments-api',
    };
    await expect(run(input)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'you may not container-cloud.codeflow.run component:default/payments-api',
    });
    backend.refuse = {
      status: 400,
      message: 'environment: staging is no target environment (test)',
    };
    await expect(run(input)).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('environment: staging'),
    });
  });

  it('fails a bad input with a 400 naming the field, before calling the backend', async () => {
    await expect(run({ ...input, commit: 'HEAD~1' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'invalid run request: commit: commit is 7 to 40 lower-case hex digits',
      ),
    });
    await expect(
      run({ ...input, codeflow: 'no-such-codeflow' }),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining(
        "has no codeflow named 'no-such-codeflow'",
      ),
    });
    expect(backend.started).toEqual([]);
  });
});
