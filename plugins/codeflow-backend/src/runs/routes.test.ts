import { mockCredentials, TestDatabaseId } from '@backstage/backend-test-utils';
import { schedulerServiceFactory } from '@backstage/backend-defaults/scheduler';
import {
  codeflowRunListSchema,
  codeflowRunSchema,
  readServerSentEvents,
} from '@internal/plugin-container-cloud-common';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  ALICE,
  BOB,
  CAROL,
  codeflowTestDatabases,
  localCloudClusters,
  RecordedAuditEvent,
  recordingAuditor,
  startCodeflowBackend,
} from '../__testUtils__/startCodeflowBackend';
import { createCodeflowPlugin } from '../plugin';
import { TestExecutor, TestRollout } from './__testUtils__/doubles';
import { definition, insertRequest, waitFor } from './__testUtils__/fixtures';
import { runRouteTable, type RunRouteOptions } from './routes';

jest.setTimeout(180_000);

const databases = codeflowTestDatabases();
const user = (ref: string) => mockCredentials.user.header(ref);
const BASE = '/api/codeflow/services/default/payments-api/codeflows';
const GIT_PASSWORD = 'glpat-ROUTES-never-shown-55a1';

/** Lines the held build writes before viewers come, and after. */
const BEFORE = Array.from({ length: 150 }, (_, i) => `before ${i}`);
const AFTER = Array.from(
  { length: 150 },
  (_, i) => `after ${i} ${'·'.repeat(i % 7)}`,
);

describe('codeflow run routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    const mutating = runRouteTable({} as RunRouteOptions)
      .filter(r => r.method !== 'get')
      .map(
        r =>
          `${r.method.toUpperCase()} ${r.path} ${[r.permission]
            .flat()
            .map(p => p!.name)}`,
      );
    expect(mutating).toEqual([
      'POST /services/:namespace/:name/codeflows/:id/runs container-cloud.codeflow.run',
      'POST /services/:namespace/:name/codeflows/:id/runs/:runId/cancel container-cloud.codeflow.cancel',
      'POST /services/:namespace/:name/codeflows/:id/runs/:runId/approve container-cloud.codeflow.run',
    ]);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    const audit: RecordedAuditEvent[] = [];
    const events = () =>
      audit.filter(e => e.eventId.startsWith('codeflow-run'));
    const backends: Array<Awaited<ReturnType<typeof startCodeflowBackend>>> =
      [];
    const executor = new TestExecutor(plan =>
      plan.ref.name === 'stream' || plan.ref.name === 'cancel-me'
        ? {
            logs: {
              fetch: [`fetching with ${GIT_PASSWORD}`],
              build: BEFORE,
              image: AFTER,
            },
            holdIn: 'build',
          }
        : {},
    );
    const rollout = new TestRollout();
    let codeflowId: string;
    let other: string;

    const start = () =>
      startCodeflowBackend({
        clusters: localCloudClusters(),
        database: knex,
        // the real scheduler: the engine's polling task runs every 2 s, as in production
        services: [recordingAuditor(audit), schedulerServiceFactory],
        plugin: createCodeflowPlugin({
          executor: () => executor,
          rollout: () => rollout,
          runTimings: { watchMs: 50, logFlushMs: 20 },
        }),
        codeflow: {
          credentials: [
            {
              name: 'gitlab-payments',
              username: 'ci',
              password: GIT_PASSWORD,
            },
          ],
          registry: { repository: '127.0.0.1:5000/codeflow', insecure: true },
          runs: { concurrency: 4 },
        },
        entities: [
          serviceEntity('payments-api', 'group:default/team-payments', {
            'container-cloud.io/placements':
              'local-a/payments, local-b/payments',
          }),
          serviceEntity('orders-api', 'group:default/team-orders', {
            'container-cloud.io/placements': 'local-a/orders',
          }),
        ],
      });

    beforeAll(async () => {
      knex = await databases.init(databaseId as TestDatabaseId);
      // two replicas on one codeflow database
      backends.push(await start(), await start());
      const created = await request(backends[0].server)
        .post(BASE)
        .set('Authorization', user(ALICE))
        .send(definition);
      if (created.status !== 201) throw new Error(created.text);
      codeflowId = created.body.id;
      const second = await request(backends[0].server)
        .post(BASE)
        .set('Authorization', user(ALICE))
        .send({
          ...definition,
          name: 'pushes-only',
          triggers: { ...definition.triggers, manual: false },
        });
      other = second.body.id;
    });
    afterAll(async () => {
      for (const backend of backends) await backend.stop();
    });
    beforeEach(() => {
      audit.length = 0;
    });

    const runs = () => `${BASE}/${codeflowId}/runs`;
    const call = (
      method: 'get' | 'post',
      path: string,
      auth?: string,
      body?: object,
      replica = 0,
    ) => {
      const req = request(backends[replica].server)[method](path);
      if (auth) req.set('Authorization', auth);
      return body ? req.send(body) : req;
    };
    const listRuns = async () =>
      (await call('get', runs(), user(ALICE))).body.items as any[];

    it('keeps the catalog out of the codeflow database (each plugin its own)', async () => {
      expect(await knex.schema.hasTable('codeflow_runs')).toBe(true);
      expect(await knex.schema.hasTable('final_entities')).toBe(false);
    });

    describe('the permission matrix of POST …/runs', () => {
      it.each([
        ['the owner team', ALICE],
        ['an ops admin', CAROL],
      ])('lets %s start a run (202), audited', async (_who, ref) => {
        const res = await call('post', runs(), user(ref), {
          ref: { kind: 'branch', name: 'main' },
        });
        expect(res.status).toBe(202);
        const run = codeflowRunSchema.strict().parse(res.body);
        expect(run).toMatchObject({
          status: 'queued',
          trigger: 'manual',
          requestedBy: ref,
          actingFor: ref,
          environment: 'test',
          service: 'component:default/payments-api',
        });
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-run',
            outcome: 'success',
            meta: expect.objectContaining({
              entityRef: 'component:default/payments-api',
              result: { runId: run.id, number: run.number },
            }),
          }),
        ]);
      });

      it.each([
        ['another team', user(BOB), 403],
        ['no identity', undefined, 401],
        ['a service token', mockCredentials.service.header(), 403],
      ])('refuses %s, queuing nothing', async (_who, auth, status) => {
        const before = await listRuns();
        const res = await call('post', runs(), auth, {});
        expect(res.status).toBe(status);
        expect((await listRuns()).length).toBe(before.length);
      });

      it('refuses another team in words, audited as a failure', async () => {
        const res = await call('post', runs(), user(BOB), {});
        expect(res.body.error.message).toBe(
          'you may not run the codeflows of component:default/payments-api: only its owners and ops admins may',
        );
        expect(events()).toEqual([
          expect.objectContaining({ eventId: 'codeflow-run', outcome: 'fail' }),
        ]);
      });

      it('refuses a caller the roll-out refuses, naming the target', async () => {
        rollout.refused.add(CAROL);
        try {
          const before = await listRuns();
          const res = await call('post', runs(), user(CAROL), {});
          expect(res.status).toBe(403);
          expect(res.body.error.message).toContain('targets.0');
          expect((await listRuns()).length).toBe(before.length);
        } finally {
          rollout.refused.delete(CAROL);
        }
      });

      it.each([
        [{ environment: 'production' }, 'environment: production is none of'],
        [{ ref: { kind: 'branch', name: '../etc' } }, 'ref.name'],
        [{ commit: 'XYZ' }, 'commit'],
        [{ surprise: 1 }, 'surprise'],
      ])(
        'answers 400 naming the field for %j, queuing nothing',
        async (body, words) => {
          const before = await listRuns();
          const res = await call('post', runs(), user(ALICE), body);
          expect(res.status).toBe(400);
          expect(res.body.error.message).toContain(words);
          expect((await listRuns()).length).toBe(before.length);
        },
      );

      it('answers 400 when the codeflow runs on pushes only', async () => {
        const res = await call(
          'post',
          `${BASE}/${other}/runs`,
          user(ALICE),
          {},
        );
        expect(res.status).toBe(400);
        expect(res.body.error.message).toContain('does not allow manual runs');
      });
    });

    describe('cancel and approve', () => {
      it('cancels for the owner; refuses another team, no identity and a service token; 409 once finished', async () => {
        const started = await call('post', runs(), user(ALICE), {
          ref: { kind: 'branch', name: 'cancel-me' },
        });
        const path = `${runs()}/${started.body.id}/cancel`;
        for (const [auth, status] of [
          [user(BOB), 403],
          [undefined, 401],
          [mockCredentials.service.header(), 403],
        ] as const) {
          expect((await call('post', path, auth, {})).status).toBe(status);
        }
        expect(
          (await call('get', `${runs()}/${started.body.id}`, user(ALICE))).body
            .cancelledBy,
        ).toBeNull();
        audit.length = 0;
        await waitFor('the build to hold', () =>
          executor.holding(started.body.id),
        );
        const res = await call('post', path, user(ALICE), {});
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ status: 'running' });
        const run = await waitFor('the run to be cancelled', async () => {
          const got = await call(
            'get',
            `${runs()}/${started.body.id}`,
            user(ALICE),
          );
          return got.body.status === 'cancelled' ? got.body : undefined;
        });
        expect(run.cancelledBy).toBe(ALICE);
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-run-cancel',
            outcome: 'success',
          }),
        ]);
        const again = await call('post', path, user(ALICE), {});
        expect(again.status).toBe(409);
        expect(again.body.current).toMatchObject({
          id: started.body.id,
          status: 'cancelled',
        });
      });

      it('approves a waiting run for the owner only, 409 for one that does not wait', async () => {
        await insertRequest(knex, codeflowId, {
          status: 'awaiting-approval',
          ref: 'v9.0.0',
          ref_kind: 'tag',
        });
        const waiting = await waitFor('a run waiting for approval', async () =>
          (await listRuns()).find(r => r.status === 'awaiting-approval'),
        );
        const path = `${runs()}/${waiting.id}/approve`;
        expect((await call('post', path, user(BOB), {})).status).toBe(403);
        expect((await call('post', path, undefined, {})).status).toBe(401);
        expect(
          (await call('post', path, mockCredentials.service.header(), {}))
            .status,
        ).toBe(403);
        const res = await call('post', path, user(CAROL), {}, 1);
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({ approvedBy: CAROL });
        await waitFor('the approved run to roll', async () => {
          const got = await call('get', `${runs()}/${waiting.id}`, user(ALICE));
          return got.body.status === 'succeeded';
        });
        expect(rollout.rolled.find(r => r.runId === waiting.id)?.actor).toEqual(
          {
            kind: 'user',
            userRef: CAROL,
          },
        );
        const again = await call('post', path, user(CAROL), {});
        expect(again.status).toBe(409);
        expect(again.body.current).toMatchObject({ status: 'succeeded' });
      });
    });

    describe('history and logs', () => {
      it('lists runs newest first, paged, and answers one run; another codeflow’s run is a 404', async () => {
        const list = await call('get', `${runs()}?limit=2`, user(BOB));
        expect(list.status).toBe(200);
        const page = codeflowRunListSchema.strict().parse(list.body);
        expect(page.items).toHaveLength(2);
        expect(page.items[0].number).toBeGreaterThan(page.items[1].number);
        expect(page.nextBefore).toBe(page.items[1].number);
        const next = await call(
          'get',
          `${runs()}?limit=2&before=${page.nextBefore}`,
          user(BOB),
        );
        expect(next.body.items[0].number).toBeLessThan(page.nextBefore!);
        const bad = await call('get', `${runs()}?limit=500`, user(BOB));
        expect(bad.status).toBe(400);
        expect(bad.body.error.message).toContain('limit');
        const foreign = await call(
          'get',
          `${BASE}/${other}/runs/${page.items[0].id}`,
          user(ALICE),
        );
        expect(foreign.status).toBe(404);
      });

      it('streams one run to 20 viewers on two replicas, every line in order; Last-Event-ID resumes', async () => {
        const started = await call('post', runs(), user(ALICE), {
          ref: { kind: 'branch', name: 'stream' },
        });
        expect(started.status).toBe(202);
        const runId = started.body.id;
        await waitFor('the build to hold', () => executor.holding(runId));
        const path = `${runs()}/${runId}/log/stream`;

        const bob = await fetchStream(backends[0], path, user(BOB));
        expect(bob.status).toBe(403);

        const viewers = Array.from({ length: 20 }, (_, i) =>
          readStream(backends[i % 2], path, user(i % 3 ? ALICE : CAROL)),
        );
        // every viewer is following before the rest of the log is written (the redactor holds
        // back the step's last characters, which may start a secret, until the step ends)
        await waitFor('20 viewers', () =>
          viewers.every(v => v.lines().length >= BEFORE.length - 10),
        );
        executor.release(runId);
        const results = await Promise.all(viewers.map(v => v.done));
        for (const result of results) {
          const text = result.logs.map(l => l.text).join('');
          expect(text).not.toContain(GIT_PASSWORD);
          expect(text).toContain('fetching with ***');
          const lines = text.split('\n');
          expect(lines.filter(l => l.startsWith('before '))).toEqual(BEFORE);
          expect(lines.filter(l => l.startsWith('after '))).toEqual(AFTER);
          expect(result.end).toEqual({ status: 'succeeded' });
          // offsets grow, and end where the stored log ends
          const offsets = result.logs.map(l => l.offset);
          expect([...offsets].sort((a, b) => a - b)).toEqual(offsets);
          expect(result.runs[0].id).toBe(runId);
        }
        const whole = results[0].logs.map(l => l.text).join('');
        const run = (await call('get', `${runs()}/${runId}`, user(ALICE))).body;
        expect(run.status).toBe('succeeded');
        expect(run.logBytes).toBe(Buffer.byteLength(whole));

        // a reconnect from the middle gets exactly the rest
        const middle = results[0].logs[Math.floor(results[0].logs.length / 2)];
        const resumed = await readStream(
          backends[1],
          path,
          user(ALICE),
          middle.offset,
        ).done;
        const rest = resumed.logs.map(l => l.text).join('');
        expect(Buffer.from(whole).subarray(middle.offset).toString()).toBe(
          rest,
        );
        expect(resumed.end).toEqual({ status: 'succeeded' });

        // the stored log: text, a download, one step
        const log = await call('get', `${runs()}/${runId}/log`, user(ALICE));
        expect(log.status).toBe(200);
        expect(log.headers['content-type']).toContain('text/plain');
        expect(log.text).toBe(whole);
        const download = await call(
          'get',
          `${runs()}/${runId}/log?download=1`,
          user(CAROL),
        );
        expect(download.headers['content-disposition']).toContain(
          `build-and-deploy-${run.number}.log`,
        );
        const image = await call(
          'get',
          `${runs()}/${runId}/log?step=image`,
          user(ALICE),
        );
        expect(image.text.split('\n').filter(Boolean)).toEqual(AFTER);
        const noStep = await call(
          'get',
          `${runs()}/${runId}/log?step=nope`,
          user(ALICE),
        );
        expect(noStep.status).toBe(400);
        expect(noStep.body.error.message).toContain('step');
        const refused = await call('get', `${runs()}/${runId}/log`, user(BOB));
        expect(refused.status).toBe(403);
      });
    });
  });
});

async function fetchStream(
  backend: { server: { port(): number } },
  path: string,
  auth: string,
  lastEventId?: number,
) {
  return fetch(`http://localhost:${backend.server.port()}${path}`, {
    headers: {
      Authorization: auth,
      Accept: 'text/event-stream',
      ...(lastEventId !== undefined
        ? { 'Last-Event-ID': String(lastEventId) }
        : {}),
    },
  });
}

/** Follows a run's live log to its end. */
function readStream(
  backend: { server: { port(): number } },
  path: string,
  auth: string,
  lastEventId?: number,
) {
  const logs: Array<{ step: string; text: string; offset: number }> = [];
  const runs: any[] = [];
  let end: unknown;
  const done = (async () => {
    const res = await fetchStream(backend, path, auth, lastEventId);
    if (res.status !== 200)
      throw new Error(`${res.status} ${await res.text()}`);
    for await (const { event, data } of readServerSentEvents(res.body!)) {
      if (event === 'log') logs.push(JSON.parse(data));
      else if (event === 'run') runs.push(JSON.parse(data));
      else if (event === 'end') end = JSON.parse(data);
    }
    return { logs, runs, end };
  })();
  return {
    done,
    lines: () =>
      logs
        .map(l => l.text)
        .join('')
        .split('\n')
        .filter(l => l.startsWith('before ')),
  };
}
