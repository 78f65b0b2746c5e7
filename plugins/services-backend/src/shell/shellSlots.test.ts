import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import knexFactory, { Knex } from 'knex';
import type { AuditorService } from '@backstage/backend-plugin-api';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  ContainerCloudClusters,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { shellRoutes } from './shellRoutes';
import { mountServiceRoutes } from '../__testUtils__/mountServiceRoutes';
import { ShellSessions } from './ShellSessions';
import { ShellDirectory } from './ShellDirectory';

// Two backend replicas, each with its own ShellSessions, ShellDirectory and database client, on
// one database (one SQLite file, one PostgreSQL): shells opened through both at the same moment
// for the last slots get exactly as many as the per-user and total limits allow, never one more.
// The apiserver's exec is a stand-in that connects a moment later.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const REF = 'component:default/payments-api';
const USERS = ['alice', 'bob', 'carol', 'dave'];
const LIMITS = { maxPerUser: 2, maxTotal: 3 };
const OPEN = {
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-1',
  container: 'app',
  shell: 'sh',
  columns: 80,
  rows: 24,
};

/** Two clients on one database, as two replicas have: one SQLite file, or one PostgreSQL. */
async function twoClients(databaseId: TestDatabaseId) {
  const migrate = (knex: Knex) =>
    knex.migrate.latest({
      directory: resolvePackagePath(
        '@internal/plugin-services-backend',
        'migrations',
      ),
    });
  if (databaseId === 'SQLITE_3') {
    const dir = mkdtempSync(join(tmpdir(), 'shell-slots-'));
    const client = () =>
      knexFactory({
        client: 'better-sqlite3',
        connection: { filename: join(dir, 'services.sqlite') },
        useNullAsDefault: true,
      });
    const first = client();
    await migrate(first);
    const second = client();
    return {
      clients: [first, second],
      close: async () => {
        await Promise.all([first.destroy(), second.destroy()]);
        rmSync(dir, { recursive: true, force: true });
      },
    };
  }
  const first = await databases.init(databaseId);
  await migrate(first);
  const second = knexFactory(first.client.config);
  return { clients: [first, second], close: () => second.destroy() };
}

function replica(knex: Knex, url: string) {
  const sessions = new ShellSessions({
    ...LIMITS,
    idleTimeoutMs: 60_000,
    bufferBytes: 1024,
  });
  const directory = new ShellDirectory(knex, url);
  const clusters = {
    podExec: () => ({
      open: async () => {
        // the connection takes a moment, as the apiserver's does
        await new Promise(resolve => setImmediate(resolve));
        return { write: () => {}, resize: () => {}, close: () => {} };
      },
    }),
  } as unknown as ContainerCloudClusters;
  const noAudit = {
    createEvent: async () => ({
      success: async () => {},
      fail: async () => {},
    }),
  } as unknown as AuditorService;
  const notUsed = async () => {
    throw new Error('not used');
  };
  const routes = shellRoutes({
    clusters,
    auditor: noAudit,
    sessions,
    directory,
    allowedOrigins: [],
    loadService: notUsed,
    authorize: notUsed,
  });
  const app = express();
  app.use(express.json());
  // each user reaches the replica under their own prefix (the stand-in signs every request in)
  for (const user of USERS) {
    const router = Router();
    mountServiceRoutes(router, routes, {
      user: `user:default/${user}`,
      service: () => ({
        entityRef: REF,
        binding: new ServiceBinding(REF, {
          state: 'bound',
          kubernetesId: 'payments-api',
        }),
      }),
    });
    app.use(`/${user}`, router);
  }
  app.use(
    (
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res
        .status(error.name === 'ConflictError' ? 409 : 500)
        .json({ error: { message: error.message } });
    },
  );
  return {
    sessions,
    open: (user: string) =>
      request(app)
        .post(`/${user}/services/default/payments-api/shells`)
        .send(OPEN),
    close: (user: string, id: string) =>
      request(app).delete(
        `/${user}/services/default/payments-api/shells/${id}`,
      ),
  };
}

type Answer = { status: number; body: any };
const opened = (answers: Answer[]) => answers.filter(a => a.status === 201);
const refusals = (answers: Answer[]) =>
  answers.filter(a => a.status !== 201).map(a => a.body.error?.message);

describe('the shell limits of two replicas on one database', () => {
  it.each(databases.eachSupportedId())(
    'give the last slots to exactly as many shells as allowed, per user and in total, when both replicas open at once (%p)',
    async databaseId => {
      const { clients, close } = await twoClients(databaseId);
      const a = replica(clients[0], 'http://10.0.0.1:7007');
      const b = replica(clients[1], 'http://10.0.0.2:7007');
      try {
        // alice asks for six shells at once, three through each replica: she may hold two
        const alices = await Promise.all(
          [a, b, a, b, a, b].map(r => r.open('alice')),
        );
        expect(opened(alices)).toHaveLength(2);
        expect(refusals(alices)).toEqual(
          Array(4).fill(expect.stringContaining('you already have 2 shells')),
        );

        // bob and carol ask for eight at once: the portal has one slot left
        const others = await Promise.all(
          [a, b, a, b].flatMap(r => [r.open('bob'), r.open('carol')]),
        );
        expect(opened(others)).toHaveLength(1);
        expect(refusals(others)).toEqual(
          Array(7).fill(
            expect.stringContaining('3 shells are open in this backend'),
          ),
        );
        expect(a.sessions.ids().length + b.sessions.ids().length).toBe(3);

        // alice closes one of hers: dave asks for two at once, through both, and gets one
        const [first] = alices.filter(x => x.status === 201);
        const holder = a.sessions.has(first.body.id) ? a : b;
        expect(
          (await holder.close('alice', first.body.id)).status,
        ).toBeLessThan(300);
        const daves = await Promise.all([a.open('dave'), b.open('dave')]);
        expect(opened(daves)).toHaveLength(1);
        expect(refusals(daves)).toEqual([
          expect.stringContaining('3 shells are open'),
        ]);
      } finally {
        await a.sessions.closeAll('test over');
        await b.sessions.closeAll('test over');
        await close();
      }
    },
  );
});
