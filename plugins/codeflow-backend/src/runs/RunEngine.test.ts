import { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { codeflowTestDatabases } from '../__testUtils__/startCodeflowBackend';
import type { StoredCodeflow } from '../definitions/CodeflowStore';
import {
  BuildCounter,
  TestExecutor,
  TestRollout,
} from './__testUtils__/doubles';
import {
  createCodeflow,
  GIT_PASSWORD,
  insertRequest,
  migrate,
  REGISTRY_PASSWORD,
  testEngine,
  waitFor,
} from './__testUtils__/fixtures';
import { RunEngine, stepsOf } from './RunEngine';
import type { NewRun, RunStore, StoredRun } from './RunStore';

jest.setTimeout(120_000);

const databases = codeflowTestDatabases();

function manual(
  codeflow: StoredCodeflow,
  rollout: TestRollout,
  overrides: Partial<NewRun> = {},
): NewRun {
  return {
    codeflow,
    trigger: 'manual',
    requestedBy: 'user:default/alice',
    actingFor: 'user:default/alice',
    pushedBy: null,
    ref: { kind: 'branch', name: 'main' },
    commit: null,
    environment: 'test',
    executor: 'local',
    steps: stepsOf(codeflow, 'test', rollout),
    needsApproval: false,
    ...overrides,
  };
}

function webhook(
  codeflow: StoredCodeflow,
  rollout: TestRollout,
  sha: string,
): NewRun {
  return manual(codeflow, rollout, {
    trigger: 'gitlab-push',
    requestedBy: 'webhook:gitlab',
    actingFor: 'group:default/team-payments',
    pushedBy: 'alice',
    commit: { sha, message: 'pushed', author: 'Alice' },
  });
}

const finished = (store: RunStore, id: string) =>
  waitFor(`run ${id} to finish`, async () => {
    const run = await store.get(id);
    return run &&
      ['succeeded', 'failed', 'cancelled', 'superseded'].includes(run.status)
      ? run
      : undefined;
  });

const inStatus = (store: RunStore, id: string, status: string) =>
  waitFor(`run ${id} to be ${status}`, async () => {
    const run = await store.get(id);
    return run?.status === status ? run : undefined;
  });

async function storedLog(knex: Knex, runId: string): Promise<string> {
  const rows = await knex('codeflow_run_logs')
    .where({ run_id: runId })
    .orderBy('seq');
  return rows.map(r => r.text).join('');
}

describe('RunEngine', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    const engines: RunEngine[] = [];
    const stops: Array<() => void> = [];

    function started(options: Parameters<typeof testEngine>[1] = {}) {
      const made = testEngine(knex, options);
      engines.push(made.engine);
      stops.push(made.engine.startPolling(50));
      return made;
    }

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await migrate(knex);
    });

    afterEach(async () => {
      stops.splice(0).forEach(stop => stop());
      await Promise.all(engines.splice(0).map(e => e.shutdown()));
      // nothing a test left behind takes a slot of the next one
      await knex('codeflow_runs')
        .whereIn('status', ['queued', 'running', 'awaiting-approval'])
        .update({ status: 'cancelled', claimed_by: null });
      await knex('codeflow_run_requests')
        .whereIn('status', ['queued', 'awaiting-approval'])
        .update({ status: 'dropped' });
    });

    it('builds, pushes and rolls a manual run; steps, image and log are stored', async () => {
      const signals: any[] = [];
      const { engine, store, executor, rollout } = started({
        signals: {
          publish: async message => {
            signals.push(message);
          },
        },
      });
      const codeflow = await createCodeflow(knex);
      const queued = await engine.queue(manual(codeflow, rollout));
      expect(queued).toMatchObject({ status: 'queued', number: 1 });
      const run = await finished(store, queued.id);
      expect(run.status).toBe('succeeded');
      expect(run.steps.map(s => [s.name, s.status])).toEqual([
        ['fetch', 'succeeded'],
        ['build', 'succeeded'],
        ['image', 'succeeded'],
        ['push', 'succeeded'],
        ['rollout local-a/payments', 'succeeded'],
        ['rollout local-b/payments', 'succeeded'],
      ]);
      for (const step of run.steps) {
        expect(step.durationMs).toEqual(expect.any(Number));
      }
      const sha = 'c0ffee1234567890'.padEnd(40, '0');
      expect(run.image).toBe(`127.0.0.1:5000/codeflow/payments-api:c0ffee1-1`);
      expect(run.imageDigest).toBe(`sha256:${'d'.repeat(64)}`);
      expect(run.commit).toEqual({
        sha,
        message: 'the change',
        author: 'Alice',
      });
      expect(executor.plans[0]).toMatchObject({
        runId: run.id,
        buildNumber: 1,
        repository: {
          url: 'https://git.example.com/payments/api.git',
          credentials: 'gitlab-payments',
        },
        image: {
          repository: '127.0.0.1:5000/codeflow/payments-api',
          branchTag: 'main',
        },
        registryCredentials: 'registry',
        preprocessing: null,
      });
      expect(executor.plans[0].dockerfile).toContain('FROM node:22-slim');
      expect(rollout.rolled).toEqual([
        {
          runId: run.id,
          image: `${run.image}@${run.imageDigest}`, // pinned to the pushed digest
          targets: codeflow.definition.targets,
          actor: { kind: 'user', userRef: 'user:default/alice' },
        },
      ]);
      const log = await storedLog(knex, run.id);
      expect(log).toContain('fetch: line 1\nfetch: line 2\n');
      expect(log).toContain(`upgrading to ${run.image}@${run.imageDigest}`);
      expect(run.logBytes).toBe(Buffer.byteLength(log));
      // the page hears of every change on the codeflow's channel
      expect(signals[0]).toEqual({
        recipients: { type: 'broadcast' },
        channel: `codeflow:runs:${codeflow.id}`,
        message: { runId: run.id, status: 'queued' },
      });
      expect(signals.map(s => s.message.status)).toEqual(
        expect.arrayContaining(['queued', 'running', 'succeeded']),
      );
    });

    it('fails a run whose build fails, in words with its last lines, and never rolls it out', async () => {
      const lines = Array.from({ length: 40 }, (_, i) => `test ${i} failed`);
      const executor = new TestExecutor(() => ({
        logs: { build: lines },
        fail: {
          step: 'build',
          message: 'npm test exited with 1',
          kind: 'test-failure',
        },
      }));
      const { engine, store, rollout } = started({ executor });
      const codeflow = await createCodeflow(knex);
      const run = await finished(
        store,
        (
          await engine.queue(manual(codeflow, rollout))
        ).id,
      );
      expect(run).toMatchObject({
        status: 'failed',
        failureKind: 'test-failure',
        reason: 'npm test exited with 1',
        image: null,
      });
      expect(run.lastLines).toEqual(lines.slice(-30));
      expect(run.steps.map(s => s.status)).toEqual([
        'succeeded',
        'failed',
        'skipped',
        'skipped',
        'skipped',
        'skipped',
      ]);
      expect(rollout.rolled).toEqual([]);
    });

    it('fails in words a run with no registry to push to', async () => {
      const { engine, store, rollout, executor } = started({
        config: {
          registry: {
            repository: undefined,
            insecure: false,
            credentials: null,
          },
        },
      });
      const codeflow = await createCodeflow(knex);
      const noRegistry = await finished(
        store,
        (
          await engine.queue(manual(codeflow, rollout))
        ).id,
      );
      expect(noRegistry).toMatchObject({
        status: 'failed',
        failureKind: 'push-denied',
        reason:
          'no registry is configured for built images: set containerCloud.codeflow.registry.repository',
      });
      expect(executor.plans).toEqual([]);
      expect(rollout.rolled).toEqual([]);
    });

    it('fails in words, before building, a run whose images would overwrite the pre-processing images', async () => {
      const { engine, store, rollout, executor } = started();
      // <registry>/codeflow/preprocessed is where the pre-processing images live
      const codeflow = await createCodeflow(
        knex,
        {},
        'component:default/preprocessed',
      );
      const run = await finished(
        store,
        (
          await engine.queue(manual(codeflow, rollout))
        ).id,
      );
      expect(run).toMatchObject({
        status: 'failed',
        failureKind: 'push-denied',
      });
      expect(run.reason).toMatch(
        /^the built images would go to 127\.0\.0\.1:5000\/codeflow\/preprocessed, which holds the pre-processing images/,
      );
      expect(executor.plans).toEqual([]);
      expect(rollout.rolled).toEqual([]);
    });

    it('fails in words a run whose build image is no longer offered', async () => {
      const { engine, store, rollout, executor } = started();
      const gone = await createCodeflow(knex, { buildImage: 'cobol-85' });
      const run = await finished(
        store,
        (
          await engine.queue(manual(gone, rollout))
        ).id,
      );
      expect(run).toMatchObject({ status: 'failed', failureKind: 'other' });
      expect(run.reason).toContain('the build could not be planned');
      expect(run.reason).toContain('cobol-85');
      expect(executor.plans).toEqual([]);
    });

    it('fails a run whose roll-out is stuck, with the roll-out step and its words', async () => {
      const { engine, store, rollout } = started();
      const codeflow = await createCodeflow(knex);
      const queued = await engine.queue(manual(codeflow, rollout));
      rollout.failing.add(queued.id);
      const run = await finished(store, queued.id);
      expect(run).toMatchObject({
        status: 'failed',
        failureKind: 'rollout-stuck',
        reason: 'the Deployment did not become ready: ImagePullBackOff',
      });
      expect(
        run.steps.find(s => s.name === 'rollout local-a/payments'),
      ).toMatchObject({
        status: 'failed',
      });
      expect(
        run.steps.find(s => s.name === 'rollout local-b/payments'),
      ).toMatchObject({
        status: 'skipped',
      });
    });

    it('cancels a queued run at once, and a running one from another replica', async () => {
      const executor = new TestExecutor(() => ({ holdIn: 'build' }));
      const { engine, store, rollout } = started({
        executor,
        config: { concurrency: 1 },
        replicaId: 'builder',
      });
      const other = testEngine(knex, { replicaId: 'other' });
      engines.push(other.engine);
      const codeflow = await createCodeflow(knex);
      const first = await engine.queue(manual(codeflow, rollout));
      const second = await engine.queue(manual(codeflow, rollout));
      await waitFor('the first build to hold', () =>
        executor.holding(first.id),
      );
      expect((await store.get(second.id))!.status).toBe('queued');

      const queuedCancel = await other.store.requestCancel(
        second.id,
        'user:default/carol',
      );
      expect(queuedCancel.outcome).toBe('cancelled');
      expect(queuedCancel.run).toMatchObject({
        status: 'cancelled',
        cancelledBy: 'user:default/carol',
      });

      const runningCancel = await other.store.requestCancel(
        first.id,
        'user:default/alice',
      );
      expect(runningCancel.outcome).toBe('requested');
      const run = await finished(store, first.id);
      expect(run).toMatchObject({
        status: 'cancelled',
        cancelledBy: 'user:default/alice',
        reason: 'cancelled by user:default/alice',
      });
      expect(run.steps.find(s => s.name === 'build')!.status).toBe('cancelled');
      expect(rollout.rolled).toEqual([]);
      const again = await other.store.requestCancel(
        first.id,
        'user:default/alice',
      );
      expect(again.outcome).toBe('finished');
    });

    it('stops a run that outlives runs.timeoutMinutes', async () => {
      const executor = new TestExecutor(() => ({ holdIn: 'build' }));
      const { engine, store, rollout } = started({
        executor,
        config: { timeoutMinutes: 0.005 },
      });
      const codeflow = await createCodeflow(knex);
      const run = await finished(
        store,
        (
          await engine.queue(manual(codeflow, rollout))
        ).id,
      );
      expect(run).toMatchObject({ status: 'failed', failureKind: 'timeout' });
      expect(run.reason).toContain(
        'containerCloud.codeflow.runs.timeoutMinutes',
      );
      expect(run.reason).toContain('during build');
    });

    it('queues a second push behind the first (onNewPush: queue)', async () => {
      const executor = new TestExecutor(() => ({ holdIn: 'build' }));
      const { engine, store, rollout } = started({ executor });
      const codeflow = await createCodeflow(knex);
      const first = await engine.queue(webhook(codeflow, rollout, 'aaaaaaa1'));
      await waitFor('the first build to hold', () =>
        executor.holding(first.id),
      );
      const second = await engine.queue(webhook(codeflow, rollout, 'bbbbbbb2'));
      await engine.tick();
      // one running per codeflow, although a slot is free
      expect((await store.get(second.id))!.status).toBe('queued');
      executor.release(first.id);
      expect((await finished(store, first.id)).status).toBe('succeeded');
      await waitFor('the second build to hold', () =>
        executor.holding(second.id),
      );
      executor.release(second.id);
      expect((await finished(store, second.id)).status).toBe('succeeded');
    });

    it('replaces older webhook runs with a newer push (onNewPush: supersede), not manual ones', async () => {
      const executor = new TestExecutor(() => ({ holdIn: 'build' }));
      const { engine, store, rollout } = started({
        executor,
        config: { onNewPush: 'supersede' },
      });
      const codeflow = await createCodeflow(knex);
      const first = await engine.queue(webhook(codeflow, rollout, 'aaaaaaa1'));
      await waitFor('the first build to hold', () =>
        executor.holding(first.id),
      );
      const manualRun = await engine.queue(manual(codeflow, rollout));
      const second = await engine.queue(webhook(codeflow, rollout, 'bbbbbbb2'));
      const third = await engine.queue(webhook(codeflow, rollout, 'ccccccc3'));
      expect(await store.get(second.id)).toMatchObject({
        status: 'superseded',
        supersededBy: third.id,
      });
      const replaced = await finished(store, first.id);
      expect(replaced).toMatchObject({ status: 'superseded' });
      expect(replaced.reason).toContain('a newer push');
      // the manual run is not a push: it is not replaced
      await waitFor('the manual build to hold', () =>
        executor.holding(manualRun.id),
      );
      executor.release(manualRun.id);
      expect((await finished(store, manualRun.id)).status).toBe('succeeded');
      await waitFor('the newest push to hold', () =>
        executor.holding(third.id),
      );
      executor.release(third.id);
      expect((await finished(store, third.id)).status).toBe('succeeded');
    });

    it('never runs more than runs.concurrency at once over two replicas', async () => {
      const counter = new BuildCounter();
      const hold = () => ({ holdIn: 'build' as const });
      const a = started({
        executor: new TestExecutor(hold, counter),
        replicaId: 'a',
      });
      const b = started({
        executor: new TestExecutor(hold, counter),
        replicaId: 'b',
      });
      const runs: StoredRun[] = [];
      for (let i = 0; i < 6; i++) {
        const codeflow = await createCodeflow(knex);
        runs.push(
          await (i % 2 ? a : b).engine.queue(manual(codeflow, a.rollout)),
        );
      }
      const release = () => {
        for (const run of runs) {
          a.executor.release(run.id);
          b.executor.release(run.id);
        }
      };
      const releasing = setInterval(release, 30);
      try {
        for (const run of runs) {
          expect((await finished(a.store, run.id)).status).toBe('succeeded');
        }
      } finally {
        clearInterval(releasing);
      }
      expect(counter.max).toBe(2);
      expect(a.executor.plans.length + b.executor.plans.length).toBe(6);
    });

    it('fails a running run whose replica went silent (executor-lost), in words', async () => {
      const { engine, store, rollout } = started();
      const codeflow = await createCodeflow(knex);
      const run = await store.create(manual(codeflow, rollout));
      await knex('codeflow_runs')
        .where({ id: run!.id })
        .update({
          status: 'running',
          claimed_by: 'gone-replica',
          started_at: new Date(Date.now() - 120_000),
          heartbeat_at: new Date(Date.now() - 90_000),
        });
      await engine.tick();
      const lost = await finished(store, run!.id);
      expect(lost).toMatchObject({
        status: 'failed',
        failureKind: 'executor-lost',
      });
      expect(lost.reason).toContain('the backend replica building it stopped');
    });

    it('makes each webhook request exactly one run over two replicas, for the codeflow owner', async () => {
      const a = testEngine(knex, { replicaId: 'a' });
      const b = testEngine(knex, { replicaId: 'b' });
      engines.push(a.engine, b.engine);
      const codeflow = await createCodeflow(knex);
      const requests: number[] = [];
      for (let i = 0; i < 5; i++) {
        requests.push(
          await insertRequest(knex, codeflow.id, {
            commit_sha: `${i}`.repeat(40),
          }),
        );
      }
      await Promise.all([
        a.engine.tick(),
        b.engine.tick(),
        a.engine.tick(),
        b.engine.tick(),
      ]);
      const runs = await knex('codeflow_runs')
        .where({ codeflow_id: codeflow.id })
        .orderBy('number');
      expect(runs.map(r => Number(r.request_id))).toEqual(requests);
      expect(runs.map(r => Number(r.number))).toEqual([1, 2, 3, 4, 5]);
      const taken = await knex('codeflow_run_requests').whereIn('id', requests);
      for (const request of taken) {
        expect(request.status).toBe('taken');
        expect(runs.map(r => r.id)).toContain(request.run_id);
      }
      const first = (await a.store.get(runs[0].id))!;
      expect(first).toMatchObject({
        trigger: 'gitlab-push',
        requestedBy: 'webhook:gitlab',
        actingFor: 'group:default/team-payments',
        pushedBy: 'alice',
        environment: 'test',
        ref: { kind: 'branch', name: 'main' },
        // the fetch reports the commit it found (the stand-in: the request's sha)
        commit: expect.objectContaining({ sha: '0'.repeat(40) }),
      });
    });

    it('rolls a webhook run as the codeflow owner, saved by whoever saved the codeflow', async () => {
      const { store, rollout } = started();
      const codeflow = await createCodeflow(knex);
      await insertRequest(knex, codeflow.id);
      const run = await waitFor(
        'the request to become a run',
        async () => (await store.list(codeflow.id, { limit: 1 })).items[0],
      );
      expect((await finished(store, run.id)).status).toBe('succeeded');
      expect(rollout.rolled[0].actor).toEqual({
        kind: 'codeflow-owner',
        owner: 'group:default/team-payments',
        codeflowId: codeflow.id,
        savedBy: 'user:default/alice',
      });
    });

    it('waits for an approval after the push, then rolls as the approver', async () => {
      const { store, rollout, executor } = started();
      const codeflow = await createCodeflow(knex);
      await insertRequest(knex, codeflow.id, {
        status: 'awaiting-approval',
        ref: 'v1.2.0',
        ref_kind: 'tag',
      });
      const queued = await waitFor(
        'the request to become a run',
        async () => (await store.list(codeflow.id, { limit: 1 })).items[0],
      );
      const waiting = await inStatus(store, queued.id, 'awaiting-approval');
      expect(waiting.image).toBe(
        '127.0.0.1:5000/codeflow/payments-api:abcdef1-1',
      );
      expect(executor.plans[0].image.branchTag).toBeNull();
      expect(rollout.rolled).toEqual([]);
      expect(waiting.steps.map(s => s.status)).toEqual([
        'succeeded',
        'succeeded',
        'succeeded',
        'succeeded',
        'pending',
        'pending',
      ]);
      expect(
        await store.approve(queued.id, 'user:default/carol'),
      ).toMatchObject({
        status: 'queued',
        approvedBy: 'user:default/carol',
      });
      expect(
        await store.approve(queued.id, 'user:default/carol'),
      ).toBeUndefined();
      const run = await finished(store, queued.id);
      expect(run.status).toBe('succeeded');
      expect(executor.plans).toHaveLength(1); // built once
      expect(rollout.rolled).toEqual([
        expect.objectContaining({
          image: `${waiting.image}@${waiting.imageDigest}`,
          actor: { kind: 'user', userRef: 'user:default/carol' },
        }),
      ]);
    });

    it('keeps every secret out of the stored log, the last lines and the reason', async () => {
      const executor = new TestExecutor(() => ({
        logs: {
          fetch: [
            `git fetch https://ci:${GIT_PASSWORD}@git.example.com/payments/api.git`,
          ],
          push: [
            `login with ${REGISTRY_PASSWORD}`,
            `and again ${REGISTRY_PASSWORD}`,
          ],
        },
        fail: {
          step: 'push',
          message: `denied for ${REGISTRY_PASSWORD}`,
          kind: 'push-denied',
        },
      }));
      const { engine, store, rollout } = started({ executor });
      const codeflow = await createCodeflow(knex);
      const run = await finished(
        store,
        (
          await engine.queue(manual(codeflow, rollout))
        ).id,
      );
      const log = await storedLog(knex, run.id);
      expect(log).toContain('git fetch https://ci:');
      expect(log).toContain('login with ');
      const everything = JSON.stringify({ log, run });
      expect(everything).not.toContain(GIT_PASSWORD);
      expect(everything).not.toContain(REGISTRY_PASSWORD);
      expect(run.failureKind).toBe('push-denied');
    });

    it('hands a claimed run back on shutdown before its first step started', async () => {
      const executor = new TestExecutor(() => ({ holdBeforeStart: true }));
      const made = testEngine(knex, { executor, replicaId: 'leaving' });
      const codeflow = await createCodeflow(knex);
      const run = await made.engine.queue(manual(codeflow, made.rollout));
      await waitFor('the build to hold', () => executor.holding(run.id));
      await made.engine.shutdown();
      expect(await made.store.get(run.id)).toMatchObject({
        status: 'queued',
        claimedBy: null,
      });
      // another replica takes it
      const next = started({ replicaId: 'next' });
      expect((await finished(next.store, run.id)).status).toBe('succeeded');
    });

    it('fails a started run in words on shutdown', async () => {
      const executor = new TestExecutor(() => ({ holdIn: 'build' }));
      const made = testEngine(knex, { executor, replicaId: 'leaving' });
      const codeflow = await createCodeflow(knex);
      const run = await made.engine.queue(manual(codeflow, made.rollout));
      await waitFor('the build to hold', () => executor.holding(run.id));
      await made.engine.shutdown();
      const stopped = await made.store.get(run.id);
      expect(stopped).toMatchObject({
        status: 'failed',
        failureKind: 'executor-lost',
      });
      expect(stopped!.reason).toContain(
        'the backend replica building it stopped',
      );
    });
  });
});
