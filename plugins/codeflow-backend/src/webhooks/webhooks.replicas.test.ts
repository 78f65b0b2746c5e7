import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  mockCredentials,
  mockServices,
  TestDatabaseId,
} from '@backstage/backend-test-utils';
import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';
import type { CodeflowDefinition } from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import request from 'supertest';
import {
  ALICE,
  codeflowTestDatabases,
  startCodeflowBackend,
} from '../__testUtils__/startCodeflowBackend';
import { CodeflowStore } from '../definitions/CodeflowStore';
import { WebhookStore } from './WebhookStore';

jest.setTimeout(180_000);

const databases = codeflowTestDatabases();
const KEY = Buffer.alloc(32, 5).toString('base64');
const push = readFileSync(
  join(__dirname, '__fixtures__', 'gitlab-push.json'),
  'utf8',
);

const definition: CodeflowDefinition = {
  name: 'build',
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
      ],
    },
  },
};

// Two backend replicas over one codeflow database (each with its own catalog): GitLab retries a
// delivery, or a load balancer sends the same one to both. One run request, whichever answers.
describe('a webhook delivery reaching two replicas', () => {
  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let knex: Knex;
    const replicas: Array<Awaited<ReturnType<typeof startCodeflowBackend>>> =
      [];

    beforeAll(async () => {
      const shared = await databases.init(databaseId as TestDatabaseId);
      knex = shared;
      for (let i = 0; i < 2; i++) {
        const databaseOfEachPlugin = createServiceFactory({
          service: coreServices.database,
          deps: { plugin: coreServices.pluginMetadata },
          factory: async ({ plugin }) =>
            mockServices.database({
              knex:
                plugin.getId() === 'codeflow'
                  ? shared
                  : await databases.init(databaseId as TestDatabaseId),
            }),
        });
        // one after the other: the first applies the migrations
        replicas.push(
          await startCodeflowBackend({
            codeflow: { webhooks: { encryptionKey: KEY } },
            services: [databaseOfEachPlugin],
          }),
        );
      }
    });

    afterAll(() => Promise.all(replicas.map(r => r.stop())));

    it('records one run request, and the other copies as duplicates', async () => {
      const { id } = await new CodeflowStore(knex).create(
        'component:default/payments-api',
        definition,
        ALICE,
      );
      // the secret set through one replica authenticates deliveries to the other
      const set = await request(replicas[0].server)
        .post(
          `/api/codeflow/services/default/payments-api/codeflows/${id}/webhook-secret`,
        )
        .set('Authorization', mockCredentials.user.header(ALICE));
      expect(set.status).toBe(201);
      const uuid = randomUUID();
      const answers = await Promise.all(
        [0, 1, 0, 1].map(i =>
          request(replicas[i].server)
            .post(`/api/codeflow/webhooks/gitlab/${id}`)
            .set('Content-Type', 'application/json')
            .set('X-Gitlab-Event', 'Push Hook')
            .set('X-Gitlab-Event-UUID', uuid)
            .set('X-Gitlab-Token', set.body.secret)
            .send(push),
        ),
      );
      expect(answers.map(a => a.body.outcome).sort()).toEqual([
        'accepted',
        'duplicate',
        'duplicate',
        'duplicate',
      ]);
      expect(await new WebhookStore(knex).listRunRequests(id)).toHaveLength(1);
    });
  });
});
