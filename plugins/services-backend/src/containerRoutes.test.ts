import express from 'express';
import Router from 'express-promise-router';
import { PassThrough } from 'node:stream';
import request from 'supertest';
import type { AuditorService } from '@backstage/backend-plugin-api';
import {
  ContainerCloudClusters,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { containerRoutes } from './containerRoutes';
import { mountServiceRoutes } from './__testUtils__/mountServiceRoutes';
import type { PodHistoryStore } from './database/PodHistoryStore';
import { FollowLimiter } from './services/FollowLimiter';

const ALICE = 'user:default/alice';
const QUERY = { cluster: 'local-a', namespace: 'payments', pod: 'p-1' };

/**
 * The container routes with stand-ins around them: a cluster whose log streams record whether
 * they were closed, and an auditor that cannot write (its success call throws).
 */
function appWithFailingAuditor() {
  const streams: Array<{ closed: boolean }> = [];
  const clusters = {
    podLogs: () => ({
      open: async () => {
        const entry = { closed: false };
        streams.push(entry);
        return {
          container: 'app',
          stream: new PassThrough(),
          close: () => {
            entry.closed = true;
          },
        };
      },
    }),
  } as unknown as ContainerCloudClusters;
  const auditor = {
    createEvent: async () => ({
      success: async () => {
        throw new Error('the audit log is unavailable');
      },
      fail: async () => {},
    }),
  } as unknown as AuditorService;
  const followLimiter = new FollowLimiter(1);
  const router = Router();
  mountServiceRoutes(
    router,
    containerRoutes({
      clusters,
      followLimiter,
      history: {} as PodHistoryStore,
    }),
    {
      user: ALICE,
      auditor,
      service: () => ({
        entityRef: 'component:default/payments-api',
        // bound to every namespace, as an entity without placements is by default
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
      error: Error,
      _req: express.Request,
      res: express.Response,
      _next: express.NextFunction,
    ) => {
      res.status(500).json({ error: { message: error.message } });
    },
  );
  return { app, streams, followLimiter };
}

describe('container log routes when the audit call throws', () => {
  it('close the log stream of a follow and free its slot', async () => {
    const { app, streams, followLimiter } = appWithFailingAuditor();
    const res = await request(app)
      .get('/services/default/payments-api/containers/logs/follow')
      .query(QUERY);
    expect(res.status).toBe(500);
    expect(res.body.error.message).toBe('the audit log is unavailable');
    expect(streams).toEqual([{ closed: true }]);
    expect(followLimiter.held(ALICE)).toBe(0);
  });

  it('close the log stream of a tail', async () => {
    const { app, streams } = appWithFailingAuditor();
    const res = await request(app)
      .get('/services/default/payments-api/containers/logs')
      .query(QUERY);
    expect(res.status).toBe(500);
    expect(streams).toEqual([{ closed: true }]);
  });
});
