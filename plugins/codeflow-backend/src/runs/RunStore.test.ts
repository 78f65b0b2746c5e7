import { TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { codeflowTestDatabases } from '../__testUtils__/startCodeflowBackend';
import type { StoredCodeflow } from '../definitions/CodeflowStore';
import { createCodeflow, migrate } from './__testUtils__/fixtures';
import { LogRedactor } from '../failures';
import { RunLog } from './RunLog';
import { NewRun, RunStore } from './RunStore';

jest.setTimeout(60_000);

const databases = codeflowTestDatabases();

function newRun(codeflow: StoredCodeflow): NewRun {
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
    steps: ['fetch', 'build', 'image', 'push'],
    needsApproval: false,
  };
}

describe('RunStore', () => {
  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    let store: RunStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await migrate(knex);
      store = new RunStore(knex);
    });

    it('numbers runs per codeflow from 1, distinct when created at once', async () => {
      const a = await createCodeflow(knex);
      const b = await createCodeflow(knex);
      const created = await Promise.all([
        ...Array.from({ length: 8 }, () => store.create(newRun(a))),
        store.create(newRun(b)),
      ]);
      const numbersOfA = created
        .filter(r => r!.codeflowId === a.id)
        .map(r => r!.number)
        .sort((x, y) => x - y);
      expect(numbersOfA).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      expect(created[8]!.number).toBe(1);
      expect(created[0]).toMatchObject({
        id: expect.stringMatching(/^run-[0-9a-f]{24}$/),
        status: 'queued',
        service: 'component:default/payments-api',
        steps: [
          expect.objectContaining({ name: 'fetch', status: 'pending' }),
          expect.objectContaining({ name: 'build' }),
          expect.objectContaining({ name: 'image' }),
          expect.objectContaining({ name: 'push' }),
        ],
        logBytes: 0,
        logTruncated: false,
      });
    });

    it('lists newest first, a page at a time, with the active count', async () => {
      const codeflow = await createCodeflow(knex);
      for (let i = 0; i < 5; i++) await store.create(newRun(codeflow));
      const first = await store.list(codeflow.id, { limit: 2 });
      expect(first.items.map(r => r.number)).toEqual([5, 4]);
      expect(first.nextBefore).toBe(4);
      expect(first.active).toBe(5);
      const second = await store.list(codeflow.id, { limit: 2, before: 4 });
      expect(second.items.map(r => r.number)).toEqual([3, 2]);
      const last = await store.list(codeflow.id, { limit: 2, before: 2 });
      expect(last.items.map(r => r.number)).toEqual([1]);
      expect(last.nextBefore).toBeNull();
      await store.requestCancel(first.items[0].id, 'user:default/alice');
      expect((await store.list(codeflow.id, { limit: 1 })).active).toBe(4);
    });

    it('claims a run once, whoever asks at once', async () => {
      const codeflow = await createCodeflow(knex);
      const run = await store.create(newRun(codeflow));
      await knex('codeflow_runs')
        .whereNot({ id: run!.id })
        .whereIn('status', ['queued', 'running'])
        .update({ status: 'cancelled' });
      const claims = await Promise.all(
        ['a', 'b', 'c', 'd'].map(replica => store.claimNext(replica, 5)),
      );
      expect(claims.filter(Boolean)).toHaveLength(1);
      const claimed = claims.find(Boolean)!;
      expect(claimed).toMatchObject({ id: run!.id, status: 'running' });
      expect(claimed.claimedBy).toMatch(/^[abcd]$/);
      expect(
        await store.finish(run!.id, 'nobody', {
          status: 'succeeded',
          steps: [],
        }),
      ).toBe(false);
      expect(
        await store.finish(run!.id, claimed.claimedBy!, {
          status: 'succeeded',
          steps: [],
        }),
      ).toBe(true);
    });

    it('stores the log in chunks, capped at maxLogBytes with one line saying so', async () => {
      const codeflow = await createCodeflow(knex);
      const run = (await store.create(newRun(codeflow)))!;
      const log = new RunLog(store, run.id, {
        maxBytes: 100,
        redactor: () => new LogRedactor(['hunter2']),
        flushMs: 5,
      });
      log.write('fetch', 'password hun');
      log.write('fetch', 'ter2 in two pieces\n');
      log.endStep('fetch');
      await log.flush();
      log.write('build', `${'x'.repeat(60)}\n${'y'.repeat(60)}\n`);
      log.write('build', 'never kept\n');
      await log.close();
      const chunks = await store.logChunks(run.id);
      const text = chunks.map(c => c.text).join('');
      expect(text.startsWith('password *** in two pieces\n')).toBe(true);
      expect(text).not.toContain('hunter2');
      expect(text).toContain('[the log was cut here: it reached 100 bytes');
      expect(text).not.toContain('never kept');
      const stored = (await store.get(run.id))!;
      expect(stored.logTruncated).toBe(true);
      expect(stored.logBytes).toBe(Buffer.byteLength(text));
      expect(chunks[chunks.length - 1].endOffset).toBe(stored.logBytes);
      expect(await store.logChunks(run.id, { step: 'fetch' })).toHaveLength(1);
      expect(
        (await store.logChunks(run.id, { afterOffset: chunks[0].endOffset }))[0]
          .seq,
      ).toBe(chunks[1].seq);
      expect(log.lastLines('fetch')).toEqual(['password *** in two pieces']);
    });
  });
});
