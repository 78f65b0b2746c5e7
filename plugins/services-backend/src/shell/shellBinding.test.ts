import express from 'express';
import Router from 'express-promise-router';
import request from 'supertest';
import type { AuditorService } from '@backstage/backend-plugin-api';
import type { ServiceBindingStatus } from '@internal/plugin-container-cloud-common';
import {
  ContainerCloudClusters,
  ServiceBinding,
} from '@internal/plugin-container-cloud-node';
import { shellRoutes } from './shellRoutes';
import { mountServiceRoutes } from '../__testUtils__/mountServiceRoutes';
import { ShellSessions } from './ShellSessions';

// #11: a shell opened while the binding covered its pod answers only while it still does (a
// second claim on the id, or placements narrowed, stop it from taking keystrokes).
const ALICE = 'user:default/alice';
const REF = 'component:default/payments-api';
const TARGET = {
  entityRef: REF,
  cluster: 'local-a',
  namespace: 'payments',
  pod: 'payments-api-1',
  container: 'app',
};

describe('shell routes and the binding', () => {
  const typed: string[] = [];
  let status: ServiceBindingStatus;
  let sessions: ShellSessions;
  let app: express.Express;
  let id: string;

  beforeEach(async () => {
    typed.length = 0;
    status = {
      state: 'bound',
      kubernetesId: 'payments-api',
      placements: [{ cluster: 'local-a', namespace: 'payments' }],
    };
    sessions = new ShellSessions();
    id = await sessions.open(
      ALICE,
      TARGET,
      async () => ({
        write: (data: string | Buffer) => typed.push(String(data)),
        resize: () => {},
        close: () => {},
      }),
      () => {},
    );
    const router = Router();
    const notUsed = async () => {
      throw new Error('not used');
    };
    mountServiceRoutes(
      router,
      shellRoutes({
        clusters: {} as ContainerCloudClusters,
        auditor: {} as AuditorService,
        sessions,
        allowedOrigins: [],
        loadService: notUsed,
        authorize: notUsed,
      }),
      {
        user: ALICE,
        service: () => ({
          entityRef: REF,
          binding: new ServiceBinding(REF, status),
        }),
      },
    );
    app = express();
    app.use(express.json());
    app.use(router);
    app.use(
      (
        error: Error,
        _req: express.Request,
        res: express.Response,
        _next: express.NextFunction,
      ) => {
        res
          .status(error.name === 'NotAllowedError' ? 403 : 500)
          .json({ error: { message: error.message } });
      },
    );
  });

  afterEach(() => sessions.closeAll('test over'));

  const type = () =>
    request(app)
      .post(`/services/default/payments-api/shells/${id}/input`)
      .send({ data: 'ls\n' });

  it('takes keystrokes while the binding covers the shell', async () => {
    expect((await type()).status).toBeLessThan(300);
    expect(typed).toEqual(['ls\n']);
  });

  it('refuses them once the placements no longer cover it', async () => {
    status = {
      ...status,
      placements: [{ cluster: 'local-b', namespace: 'payments' }],
    };
    const res = await type();
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      "may not touch namespace 'payments' in cluster 'local-a'",
    );
    expect(typed).toEqual([]);
  });

  it('refuses them once another trusted entity claims the id', async () => {
    status = {
      state: 'conflict',
      kubernetesId: 'payments-api',
      conflictsWith: ['component:cmdb/payments'],
      message: `${REF} controls no workloads: component:cmdb/payments also claims kubernetes id 'payments-api'`,
    };
    const res = await type();
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('component:cmdb/payments');
    expect(typed).toEqual([]);
  });
});
