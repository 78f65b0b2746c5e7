import { mockServices, TestDatabaseId } from '@backstage/backend-test-utils';
import type { Knex } from 'knex';
import { codeflowTestDatabases } from '../__testUtils__/startCodeflowBackend';
import { createCodeflow, migrate, waitFor } from './__testUtils__/fixtures';
import { LogFollowers } from './LogFollowers';
import { RunStore, type LogChunk } from './RunStore';

jest.setTimeout(60_000);

const databases = codeflowTestDatabases();

describe('LogFollowers', () => {
  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    let store: RunStore;

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      await migrate(knex);
      store = new RunStore(knex);
    });

    async function newRun() {
      const codeflow = await createCodeflow(knex);
      const run = await store.create({
        codeflow,
        trigger: 'manual',
        requestedBy: 'user:default/alice',
        actingFor: 'user:default/alice',
        pushedBy: null,
        ref: { kind: 'branch', name: 'main' },
        commit: null,
        environment: 'test',
        executor: 'local',
        steps: ['fetch', 'build'],
        needsApproval: false,
      });
      return run!;
    }

    let offset = 0;
    let seq = -1;
    async function append(runId: string, step: string, text: string) {
      seq += 1;
      offset += Buffer.byteLength(text);
      await store.appendLog(runId, { seq, step, text, endOffset: offset });
    }

    it('serves many viewers of a run from one reader, in order, and stops it when the last leaves', async () => {
      offset = 0;
      seq = -1;
      const run = await newRun();
      await append(run.id, 'fetch', 'één\n');
      const followers = new LogFollowers(store, mockServices.logger.mock(), 20);
      const seen: LogChunk[][] = [];
      const leaves: Array<() => void> = [];
      for (let i = 0; i < 20; i++) {
        const chunks: LogChunk[] = [];
        seen.push(chunks);
        leaves.push(
          await followers.follow(run.id, 0, {
            chunk: c => chunks.push(c),
            run: () => {},
            end: () => {},
          }),
        );
      }
      expect(followers.reading).toEqual([run.id]);
      for (let i = 0; i < 30; i++) await append(run.id, 'build', `line ${i}\n`);
      const expected = `één\n${Array.from(
        { length: 30 },
        (_, i) => `line ${i}\n`,
      ).join('')}`;
      for (const chunks of seen) {
        await waitFor('every line', () =>
          chunks.map(c => c.text).join('') === expected ? true : undefined,
        );
      }
      leaves.forEach(leave => leave());
      expect(followers.reading).toEqual([]);
    });

    it('resumes from a byte offset inside a chunk, and ends with the run', async () => {
      offset = 0;
      seq = -1;
      const run = await newRun();
      await append(run.id, 'fetch', 'abcdef\n');
      await append(run.id, 'build', 'ghij\n');
      const followers = new LogFollowers(store, mockServices.logger.mock(), 20);
      let text = '';
      let ended: string | undefined;
      await followers.follow(run.id, 3, {
        chunk: c => {
          text += c.text;
        },
        run: () => {},
        end: r => {
          ended = r.status;
        },
      });
      expect(text).toBe('def\nghij\n');
      await store.requestCancel(run.id, 'user:default/alice');
      await waitFor('the end', () => ended);
      expect(ended).toBe('cancelled');
      expect(followers.reading).toEqual([]);
    });
  });
});
