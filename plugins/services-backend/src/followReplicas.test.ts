import express from 'express';
import Router from 'express-promise-router';
import type { AddressInfo } from 'node:net';
import { PassThrough } from 'node:stream';
import { resolvePackagePath } from '@backstage/backend-plugin-api';
import { TestDatabaseId, TestDatabases } from '@backstage/backend-test-utils';
import {
  ContainerCloudClusters,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { containerRoutes } from './containerRoutes';
import { mountServiceRoutes } from './__testUtils__/mountServiceRoutes';
import type { PodHistoryStore } from './database/PodHistoryStore';
import { FollowDirectory } from './services/FollowDirectory';
import { poll } from './__testUtils__/localCloudFixtures';

// The follow routes of two backend replicas on one database, each counting through its own
// FollowDirectory: a person's follows on both count against one limit, and a follow closed on
// one frees its slot for the other. The apiserver's log streams are stand-ins that stay open.
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });
const ALICE = 'user:default/alice';
const FOLLOW =
  '/services/default/payments-api/containers/logs/follow?cluster=local-a&namespace=payments&pod=p-1';

async function replica(knex: Awaited<ReturnType<typeof databases.init>>) {
  const clusters = {
    podLogs: () => ({
      open: async () => ({
        container: 'app',
        stream: new PassThrough(),
        close: () => {},
      }),
    }),
  } as unknown as ContainerCloudClusters;
  const router = Router();
  mountServiceRoutes(
    router,
    containerRoutes({
      clusters,
      followLimiter: new FollowDirectory(knex, { maxPerUser: 2, maxTotal: 10 }),
      history: {} as PodHistoryStore,
    }),
    {
      user: ALICE,
      service: () => ({
        entityRef: 'component:default/payments-api',
        binding: new ServiceBinding('component:default/payments-api', {
          state: 'bound',
          kubernetesId: 'payments-api',
        }),
      }),
    },
  );
  const app = express();
  app.use(router);
  app.use(
    (
      error: Error & { name: string },
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      const status = error.name === 'TooManyRequestsError' ? 429 : 500;
      res.status(status).json({ error: { message: error.message } });
    },
  );
  const server = app.listen(0, '127.0.0.1');
  await new Promise(resolve => server.once('listening', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

describe('live log follows of two replicas on one database', () => {
  it.each(databases.eachSupportedId())(
    'count against one per-user limit, and a closed one frees its slot on the other (%p)',
    async (databaseId: TestDatabaseId) => {
      const knex = await databases.init(databaseId);
      await knex.migrate.latest({
        directory: resolvePackagePath(
          '@internal/plugin-services-backend',
          'migrations',
        ),
      });
      const a = await replica(knex);
      const b = await replica(knex);
      const open: AbortController[] = [];
      const follow = async (base: string) => {
        const controller = new AbortController();
        const res = await fetch(`${base}${FOLLOW}`, {
          signal: controller.signal,
        });
        if (res.status === 200) open.push(controller);
        return res;
      };
      try {
        expect((await follow(a.url)).status).toBe(200);
        expect((await follow(b.url)).status).toBe(200);
        // a third, on either replica, is over alice's limit
        const third = await follow(a.url);
        expect(third.status).toBe(429);
        expect((await third.json()).error.message).toContain(
          'you already follow 2 logs',
        );
        expect((await follow(b.url)).status).toBe(429);

        // alice closes the page of her follow on B: A gives her a slot again
        open[1].abort();
        await poll('the slot freed', async () => {
          const [{ n }] = await knex('log_follows').count({ n: '*' });
          return Number(n) < 2 ? true : undefined;
        });
        expect((await follow(a.url)).status).toBe(200);
      } finally {
        open.forEach(c => c.abort());
        a.close();
        b.close();
      }
    },
  );
});
