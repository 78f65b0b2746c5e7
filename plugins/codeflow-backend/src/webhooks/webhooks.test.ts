import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  ALICE,
  BOB,
  CAROL,
  codeflowTestDatabases,
  RecordedAuditEvent,
  recordingAuditor,
  startCodeflowBackend,
} from '../__testUtils__/startCodeflowBackend';
import type { CodeflowDefinition } from '@internal/plugin-container-cloud-common';
import { CodeflowStore } from '../definitions/CodeflowStore';
import { webhookRouteTable } from './routes';
import { WebhookStore } from './WebhookStore';

jest.setTimeout(180_000);

const databases = codeflowTestDatabases();
const KEY = Buffer.alloc(32, 9).toString('base64');
const MAX_BODY = 32 * 1024;
const SERVICE = '/api/codeflow/services/default/payments-api';

const fixture = (name: string) =>
  readFileSync(join(__dirname, '__fixtures__', `${name}.json`), 'utf8');
const withRef = (name: string, ref: string) =>
  JSON.stringify({ ...JSON.parse(fixture(name)), ref });

/** A codeflow of the service: main and release/* → test, v* tags → production (approval). */
const definition = (name: string): CodeflowDefinition => ({
  name,
  repositoryUrl: 'http://git.example.com/team-payments/payments-api.git',
  credentials: null,
  ref: { kind: 'branch', pattern: 'main' },
  buildImage: 'node-22',
  buildScript: [['npm', 'ci']],
  artifactPath: 'dist',
  deployPath: '/app',
  startCommand: ['node', 'dist/server.js'],
  port: 8080,
  env: [],
  targets: [],
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
        {
          ref: { kind: 'branch', pattern: 'release/*' },
          environment: 'test',
          approval: false,
        },
        {
          ref: { kind: 'tag', pattern: 'v*' },
          environment: 'production',
          approval: true,
        },
      ],
    },
  },
});

/** A valid request for every mutating route of the table; the test fails when one is added without. */
const MUTATIONS: Record<string, { body?: object }> = {
  'POST /services/:namespace/:name/codeflows/:id/webhook-secret': {},
};

describe('codeflow webhooks over HTTP', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    const mutating = webhookRouteTable({} as any)
      .filter(r => r.method !== 'get')
      .map(r => `${r.method.toUpperCase()} ${r.path}`);
    expect(mutating.sort()).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    const audit: RecordedAuditEvent[] = [];
    let backend: Awaited<ReturnType<typeof startCodeflowBackend>>;
    let knex: Knex;
    let secret: string;
    let codeflow: string;
    let otherCodeflow: string;
    let hook: string;

    beforeAll(async () => {
      knex = await databases.init(databaseId);
      // the codeflow plugin's database is the test's; every other plugin gets one of its own
      const databaseOfEachPlugin = createServiceFactory({
        service: coreServices.database,
        deps: { plugin: coreServices.pluginMetadata },
        factory: async ({ plugin }) =>
          mockServices.database({
            knex:
              plugin.getId() === 'codeflow'
                ? knex
                : await databases.init(databaseId),
          }),
      });
      backend = await startCodeflowBackend({
        codeflow: { webhooks: { encryptionKey: KEY, maxBodyBytes: MAX_BODY } },
        services: [recordingAuditor(audit), databaseOfEachPlugin],
      });
      const codeflows = new CodeflowStore(knex);
      codeflow = (
        await codeflows.create(
          'component:default/payments-api',
          definition('build'),
          ALICE,
        )
      ).id;
      otherCodeflow = (
        await codeflows.create(
          'component:default/orders-api',
          definition('build'),
          BOB,
        )
      ).id;
      hook = `/api/codeflow/webhooks/gitlab/${codeflow}`;
    });

    afterAll(() => backend?.stop());

    /** the codeflow plugin's audit events (the catalog's are recorded too) */
    const codeflowEvents = () =>
      audit.filter(e => e.eventId.startsWith('codeflow-'));

    const runRequests = () => new WebhookStore(knex).listRunRequests(codeflow);

    function gitlab(
      event: string,
      body: string,
      options: { token?: string | null; uuid?: string } = {},
    ) {
      const req = request(backend.server)
        .post(hook)
        .set('Content-Type', 'application/json')
        .set('X-Gitlab-Event', event)
        .set('X-Gitlab-Event-UUID', options.uuid ?? randomUUID());
      if (options.token !== null)
        req.set('X-Gitlab-Token', options.token ?? secret);
      return req.send(body);
    }

    it('sets a secret for the owners, answered once, stored sealed', async () => {
      const refused = await request(backend.server)
        .post(`${SERVICE}/codeflows/${codeflow}/webhook-secret`)
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toBe(
        "you may not webhook.manage of component:default/payments-api's codeflows: only its owners and ops admins may",
      );

      const set = await request(backend.server)
        .post(`${SERVICE}/codeflows/${codeflow}/webhook-secret`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(set.status).toBe(201);
      expect(set.body).toMatchObject({
        codeflowId: codeflow,
        configured: true,
        rotated: false,
        setBy: ALICE,
        urls: {
          gitlab: `http://localhost:7007/api/codeflow/webhooks/gitlab/${codeflow}`,
        },
      });
      secret = set.body.secret;
      expect(secret).toMatch(/^[A-Za-z0-9_-]{43}$/);

      const stored = await knex('codeflow_webhook_secrets')
        .where('codeflow_id', codeflow)
        .first();
      expect(stored.sealed_secret).toMatch(/^enc:v1:/);
      expect(stored.sealed_secret).not.toContain(secret);

      const status = await request(backend.server)
        .get(`${SERVICE}/codeflows/${codeflow}/webhook`)
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(status.status).toBe(200);
      expect(status.body).toMatchObject({ configured: true, setBy: ALICE });
      expect(JSON.stringify(status.body)).not.toContain(secret);
      expect(JSON.stringify(audit)).not.toContain(secret);
      expect(
        audit.filter(e => e.eventId === 'codeflow-webhook-secret'),
      ).toEqual([
        expect.objectContaining({ outcome: 'fail' }),
        expect.objectContaining({
          outcome: 'success',
          meta: expect.objectContaining({
            entityRef: 'component:default/payments-api',
            codeflowId: codeflow,
            rotated: false,
          }),
        }),
      ]);
    });

    it('answers 404 for a codeflow of another service, and one that does not exist', async () => {
      for (const path of [
        `/api/codeflow/services/default/orders-api/codeflows/${codeflow}/webhook`,
        `${SERVICE}/codeflows/${otherCodeflow}/webhook`,
        `${SERVICE}/codeflows/nope/webhook`,
      ]) {
        const res = await request(backend.server)
          .get(path)
          .set('Authorization', mockCredentials.user.header(ALICE));
        expect(res.status).toBe(404);
      }
      const unknown = await request(backend.server)
        .post('/api/codeflow/webhooks/gitlab/nope')
        .set('X-Gitlab-Token', 'x')
        .send({});
      expect(unknown.status).toBe(404);
      expect(unknown.body.outcome).toBe('refused');
      // an id no codeflow can have answers in the same documented shape (found by fuzzing)
      const malformed = await request(backend.server)
        .post('/api/codeflow/webhooks/gitea/%C2%84')
        .send({});
      expect(malformed.status).toBe(404);
      expect(malformed.body).toMatchObject({
        outcome: 'refused',
        message: 'no such codeflow',
      });
    });

    it('accepts a push with the right token: a queued run request for the owner', async () => {
      const uuid = randomUUID();
      const res = await gitlab('Push Hook', fixture('gitlab-push'), { uuid });
      expect(res.status).toBe(202);
      expect(res.body).toEqual({
        outcome: 'accepted',
        message: 'branch main builds for test: run queued',
        runRequest: {
          id: expect.any(Number),
          status: 'queued',
          environment: 'test',
        },
      });
      const [run] = await runRequests();
      expect(run).toMatchObject({
        id: res.body.runRequest.id,
        status: 'queued',
        trigger: 'gitlab-push',
        ref: 'main',
        refKind: 'branch',
        commitSha: 'da1560886d4f094c3e6c9ef40349f7d38b5d27d7',
        commitMessage: 'fixed readme',
        commitAuthor: 'GitLab dev user',
        environment: 'test',
        requestedBy: 'group:default/team-payments',
        pushedBy: 'jsmith',
      });
      const deliveries = await request(backend.server)
        .get(`${SERVICE}/codeflows/${codeflow}/deliveries`)
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(deliveries.status).toBe(200);
      expect(deliveries.body.items[0]).toMatchObject({
        provider: 'gitlab',
        event: 'Push Hook',
        deliveryId: uuid,
        outcome: 'accepted',
        status: 202,
        ref: 'main',
        refKind: 'branch',
        environment: 'test',
        runRequestId: run.id,
        runRequestStatus: 'queued',
      });
      expect(codeflowEvents().at(-1)).toMatchObject({
        eventId: 'codeflow-webhook-delivery',
        outcome: 'success',
        meta: expect.objectContaining({
          codeflowId: codeflow,
          outcome: 'accepted',
          runRequestId: run.id,
        }),
      });
    });

    it('refuses a wrong or missing token with 401, records and audits it without the token', async () => {
      const before = (await runRequests()).length;
      audit.length = 0;
      const wrong = await gitlab('Push Hook', fixture('gitlab-push'), {
        token: 'guess-0123',
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.error.message).toBe(
        "X-Gitlab-Token does not match the codeflow's webhook secret",
      );
      const missing = await gitlab('Push Hook', fixture('gitlab-push'), {
        token: null,
      });
      expect(missing.status).toBe(401);
      expect(await runRequests()).toHaveLength(before);
      expect(codeflowEvents()).toEqual([
        expect.objectContaining({
          eventId: 'codeflow-webhook-delivery',
          outcome: 'fail',
          meta: expect.objectContaining({
            codeflowId: codeflow,
            outcome: 'refused',
            status: 401,
          }),
        }),
        expect.objectContaining({ outcome: 'fail' }),
      ]);
      expect(JSON.stringify(audit)).not.toContain('guess-0123');
      const items = await new WebhookStore(knex).listDeliveries(codeflow, 2);
      expect(items.map(d => d.outcome)).toEqual(['refused', 'refused']);
    });

    it('ignores other events with 202, and records them', async () => {
      const res = await gitlab('Issue Hook', '{"object_kind":"issue"}');
      expect(res.status).toBe(202);
      expect(res.body.outcome).toBe('ignored');
      const [last] = await new WebhookStore(knex).listDeliveries(codeflow, 1);
      expect(last).toMatchObject({
        outcome: 'ignored',
        event: 'Issue Hook',
        runRequestId: null,
      });
    });

    it('runs a replayed delivery once, also when two copies arrive at once', async () => {
      const before = (await runRequests()).length;
      const uuid = randomUUID();
      expect(
        (await gitlab('Push Hook', fixture('gitlab-push'), { uuid })).status,
      ).toBe(202);
      const replay = await gitlab('Push Hook', fixture('gitlab-push'), {
        uuid,
      });
      expect(replay.status).toBe(200);
      expect(replay.body.outcome).toBe('duplicate');
      expect(await runRequests()).toHaveLength(before + 1);

      const together = randomUUID();
      const answers = await Promise.all(
        [1, 2, 3].map(() =>
          gitlab('Push Hook', fixture('gitlab-push'), { uuid: together }),
        ),
      );
      expect(answers.map(a => a.body.outcome).sort()).toEqual([
        'accepted',
        'duplicate',
        'duplicate',
      ]);
      expect(await runRequests()).toHaveLength(before + 2);
      const rows = await knex('codeflow_webhook_deliveries').where(
        'delivery_id',
        together,
      );
      expect(rows.map(r => r.outcome).sort()).toEqual([
        'accepted',
        'duplicate',
        'duplicate',
      ]);
    });

    it('builds a merged merge request and ignores an opened one', async () => {
      const merged = await gitlab(
        'Merge Request Hook',
        fixture('gitlab-merge-request-merged'),
      );
      expect(merged.status).toBe(202);
      expect(merged.body.outcome).toBe('accepted');
      expect((await runRequests())[0]).toMatchObject({
        trigger: 'gitlab-merge',
        ref: 'main',
        commitSha: 'f15b2d4c2b1e9a3b5f7d0a4a1f5bd9c3e2a7c011',
        commitMessage: 'merge request: MS-Viewport',
      });
      const opened = await gitlab(
        'Merge Request Hook',
        fixture('gitlab-merge-request-opened'),
      );
      expect(opened.status).toBe(202);
      expect(opened.body).toEqual({
        outcome: 'ignored',
        message: 'a merge request open builds nothing (only a merge does)',
      });
    });

    it('chooses the environment by the branch rules: a v* tag awaits approval, other refs build nothing', async () => {
      const tag = await gitlab('Tag Push Hook', fixture('gitlab-tag-push'));
      expect(tag.status).toBe(202);
      expect(tag.body.runRequest).toMatchObject({
        status: 'awaiting-approval',
        environment: 'production',
      });
      expect((await runRequests())[0]).toMatchObject({
        status: 'awaiting-approval',
        refKind: 'tag',
        ref: 'v1.0.0',
      });

      const release = await gitlab(
        'Push Hook',
        withRef('gitlab-push', 'refs/heads/release/2.1'),
      );
      expect(release.body.runRequest).toMatchObject({
        status: 'queued',
        environment: 'test',
      });

      const before = (await runRequests()).length;
      const feature = await gitlab(
        'Push Hook',
        withRef('gitlab-push', 'refs/heads/feature/x'),
      );
      expect(feature.status).toBe(202);
      expect(feature.body.message).toBe(
        'no branch rule of the codeflow builds branch feature/x',
      );
      const nightly = await gitlab(
        'Tag Push Hook',
        withRef('gitlab-tag-push', 'refs/tags/nightly'),
      );
      expect(nightly.body.outcome).toBe('ignored');
      expect(await runRequests()).toHaveLength(before);
    });

    it('refuses a body over the limit with 413 and records it', async () => {
      const big = JSON.stringify({
        object_kind: 'push',
        pad: 'x'.repeat(MAX_BODY),
      });
      const res = await gitlab('Push Hook', big);
      expect(res.status).toBe(413);
      expect(res.body.error.message).toContain('larger than the 32768 bytes');
      const [last] = await new WebhookStore(knex).listDeliveries(codeflow, 1);
      expect(last).toMatchObject({ outcome: 'refused', status: 413 });
    });

    it('accepts Gitea and GitHub pushes signed with the secret (HMAC-SHA256), refuses bad signatures', async () => {
      const sign = (body: string) =>
        createHmac('sha256', secret).update(body).digest('hex');
      const gitea = fixture('gitea-push').replace(
        'http://127.0.0.1:3000/team-payments/payments-api.git',
        'http://git.example.com/team-payments/payments-api.git',
      );
      const ok = await request(backend.server)
        .post(`/api/codeflow/webhooks/gitea/${codeflow}`)
        .set('Content-Type', 'application/json')
        .set('X-Gitea-Event', 'push')
        .set('X-Gitea-Delivery', randomUUID())
        .set('X-Gitea-Signature', sign(gitea))
        .send(gitea);
      expect(ok.status).toBe(202);
      expect(ok.body.outcome).toBe('accepted');

      // GitHub's payload is about another repository: authenticated, but it builds nothing
      const github = fixture('github-push');
      const other = await request(backend.server)
        .post(`/api/codeflow/webhooks/github/${codeflow}`)
        .set('Content-Type', 'application/json')
        .set('X-GitHub-Event', 'push')
        .set('X-GitHub-Delivery', randomUUID())
        .set('X-Hub-Signature-256', `sha256=${sign(github)}`)
        .send(github);
      expect(other.status).toBe(202);
      expect(other.body.message).toBe(
        'the event is about https://github.com/team-payments/payments-api.git; the codeflow builds http://git.example.com/team-payments/payments-api.git',
      );

      const forged = await request(backend.server)
        .post(`/api/codeflow/webhooks/github/${codeflow}`)
        .set('Content-Type', 'application/json')
        .set('X-GitHub-Event', 'push')
        .set('X-Hub-Signature-256', `sha256=${sign(github)}`)
        .send(github.replace('refs/heads/main', 'refs/heads/evil'));
      expect(forged.status).toBe(401);
    });

    it('rotates the secret: the old one is refused from then on', async () => {
      const old = secret;
      const rotated = await request(backend.server)
        .post(`${SERVICE}/codeflows/${codeflow}/webhook-secret`)
        .set('Authorization', mockCredentials.user.header(CAROL));
      expect(rotated.status).toBe(201);
      expect(rotated.body.rotated).toBe(true);
      secret = rotated.body.secret;
      expect(secret).not.toBe(old);
      expect(
        (await gitlab('Push Hook', fixture('gitlab-push'), { token: old }))
          .status,
      ).toBe(401);
      expect((await gitlab('Push Hook', fixture('gitlab-push'))).status).toBe(
        202,
      );
    });

    it('serves nothing but the webhooks (and its document) without a Backstage token', async () => {
      const doc = await request(backend.server).get(
        '/api/codeflow/openapi.json',
      );
      expect(doc.status).toBe(200);
      const open: string[] = [];
      for (const [path, methods] of Object.entries(
        doc.body.paths as Record<string, object>,
      )) {
        for (const method of Object.keys(methods)) {
          const concrete = path
            .replace('{namespace}', 'default')
            .replace('{name}', 'payments-api')
            .replace(/\{[A-Za-z]+\}/g, codeflow);
          const res = await (request(backend.server) as any)
            [method](`/api/codeflow${concrete}`)
            .send({});
          if (res.status !== 401) open.push(`${method.toUpperCase()} ${path}`);
        }
      }
      // the webhooks answer without a token (here a 401 of their own: no X-Gitlab-Token)
      const webhookPaths = Object.keys(doc.body.paths).filter(p =>
        p.startsWith('/webhooks/'),
      );
      expect(webhookPaths.sort()).toEqual([
        '/webhooks/gitea/{codeflowId}',
        '/webhooks/github/{codeflowId}',
        '/webhooks/gitlab/{codeflowId}',
      ]);
      expect(open).toEqual([]);
      for (const path of webhookPaths) {
        expect(doc.body.paths[path].post.security).toEqual([]);
      }
      const everyOther = Object.entries(
        doc.body.paths as Record<string, Record<string, { security: unknown }>>,
      )
        .filter(([p]) => !p.startsWith('/webhooks/'))
        .flatMap(([, methods]) => Object.values(methods).map(m => m.security));
      expect(everyOther.length).toBeGreaterThan(0);
      for (const security of everyOther)
        expect(security).toEqual([{ BackstageToken: [] }]);
      // a webhook without a token is the webhook's own refusal, not Backstage's
      const tokenless = await gitlab('Push Hook', fixture('gitlab-push'), {
        token: null,
      });
      expect(tokenless.body.error.message).toBe(
        "no X-Gitlab-Token header: set the codeflow's webhook secret in the webhook",
      );
    });

    describe.each(Object.keys(MUTATIONS))('%s', route => {
      const send = (credentials?: string) => {
        const path = route
          .split(' ')[1]
          .replace(':namespace', 'default')
          .replace(':name', 'payments-api')
          .replace(':id', codeflow);
        const req = request(backend.server).post(`/api/codeflow${path}`);
        if (credentials) req.set('Authorization', credentials);
        return req.send(MUTATIONS[route].body ?? {});
      };

      it('refuses another team with 403 and audits the refusal', async () => {
        audit.length = 0;
        const res = await send(mockCredentials.user.header(BOB));
        expect(res.status).toBe(403);
        expect(codeflowEvents()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-webhook-secret',
            outcome: 'fail',
          }),
        ]);
      });

      it('refuses a request without identity with 401', async () => {
        expect((await send()).status).toBe(401);
      });

      it('refuses a service token with 403', async () => {
        expect((await send(mockCredentials.service.header())).status).toBe(403);
      });

      it.each([
        ['the owner team', ALICE],
        ['an ops admin', CAROL],
      ])('lets %s through', async (_who, user) => {
        const res = await send(mockCredentials.user.header(user));
        expect([200, 201, 204]).toContain(res.status);
        if (res.body.secret) secret = res.body.secret;
      });
    });
  });
});
