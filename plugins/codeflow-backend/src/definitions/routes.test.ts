import { mockCredentials, TestDatabaseId } from '@backstage/backend-test-utils';
import { serviceEntity } from '@internal/plugin-container-cloud-node/testing';
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
import { DefinitionRouteOptions, definitionRouteTable } from './routes';

jest.setTimeout(180_000);

const databases = codeflowTestDatabases();

const BASE = '/api/codeflow/services/default/payments-api/codeflows';
const GIT_TOKEN = 'glpat-NEVER-SHOWN-4f8a1c';
const SSH_KEY = '-----BEGIN OPENSSH PRIVATE KEY-----\nNEVER-SHOWN-b3f1\n';

const definition = {
  name: 'build-and-deploy',
  repositoryUrl: 'https://git.example.com/payments/api.git',
  credentials: 'gitlab-payments',
  ref: { kind: 'branch', pattern: 'main' },
  buildImage: 'node-22',
  buildScript: [
    ['npm', 'ci'],
    ['npm', 'test'],
  ],
  artifactPath: 'dist',
  deployPath: '/app',
  startCommand: ['node', 'dist/server.js'],
  port: 8080,
  env: [{ name: 'NODE_ENV', value: 'production' }],
  targets: [
    {
      service: 'component:default/payments-api',
      environment: 'test',
      placements: [{ cluster: 'local-a', namespace: 'payments' }],
    },
    {
      service: 'component:default/payments-worker',
      environment: 'production',
      placements: [
        { cluster: 'local-a', namespace: 'payments' },
        { cluster: 'local-b', namespace: 'payments' },
      ],
    },
  ],
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
          ref: { kind: 'tag', pattern: 'v*' },
          environment: 'production',
          approval: true,
        },
      ],
    },
  },
};

const user = (ref: string) => mockCredentials.user.header(ref);

describe('codeflow definition routes', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it('has a permission case for every mutating route', () => {
    // nothing is called while the table is declared: stand-ins are enough to list it
    const mutating = definitionRouteTable({} as DefinitionRouteOptions)
      .filter(r => r.method !== 'get')
      .map(r => `${r.method.toUpperCase()} ${r.path}`);
    expect(mutating).toEqual([
      'POST /services/:namespace/:name/codeflows',
      'PUT /services/:namespace/:name/codeflows/:id',
      'DELETE /services/:namespace/:name/codeflows/:id',
    ]);
  });

  describe.each(databases.eachSupportedId())('on %s', databaseId => {
    let backend: Awaited<ReturnType<typeof startCodeflowBackend>>;
    const audit: RecordedAuditEvent[] = [];
    const events = () => audit.filter(e => e.eventId !== 'entity-fetch');
    /** every audit event of this suite */
    const allAudit: RecordedAuditEvent[] = [];
    /** every answer's text, to look for secrets in */
    const answers: string[] = [];

    beforeAll(async () => {
      backend = await startCodeflowBackend({
        clusters: localCloudClusters(),
        database: databases.init(databaseId as TestDatabaseId),
        services: [recordingAuditor(audit)],
        codeflow: {
          // the webhooks part's key, so a webhook secret can be set (and looked for) below
          webhooks: { encryptionKey: Buffer.alloc(32, 9).toString('base64') },
          credentials: [
            {
              name: 'gitlab-payments',
              description: 'read access to the payments group',
              username: 'ci',
              password: GIT_TOKEN,
            },
            { name: 'deploy-key', sshPrivateKey: SSH_KEY },
          ],
        },
        entities: [
          serviceEntity('payments-api', 'group:default/team-payments', {
            'container-cloud.io/placements':
              'local-a/payments, local-b/payments',
          }),
          serviceEntity('payments-worker', 'group:default/team-payments', {
            'container-cloud.io/placements': '*/payments',
          }),
          serviceEntity('orders-api', 'group:default/team-orders', {
            'container-cloud.io/placements': 'local-a/orders',
          }),
        ],
      });
    });
    afterAll(() => backend?.stop());
    beforeEach(() => {
      allAudit.push(...audit);
      audit.length = 0;
    });

    function call(
      method: 'get' | 'post' | 'put' | 'delete',
      path: string,
      auth?: string,
      body?: object,
    ) {
      const req = request(backend.server)[method](path);
      if (auth) req.set('Authorization', auth);
      const sent = body ? req.send(body) : req;
      return sent.then(res => {
        answers.push(res.text);
        return res;
      });
    }
    const list = async () =>
      (await call('get', BASE, user(ALICE))).body.items as any[];
    const create = (auth: string | undefined, body: object = definition) =>
      call('post', BASE, auth, body);

    describe('the permission matrix of POST /services/:namespace/:name/codeflows', () => {
      it.each([
        ['the owner team', ALICE, 'build-and-deploy'],
        ['an ops admin', CAROL, 'ops-made'],
      ])('lets %s create, audited', async (_who, ref, name) => {
        const res = await create(user(ref), { ...definition, name });
        expect(res.status).toBe(201);
        expect(res.body).toMatchObject({
          ...definition,
          name,
          id: expect.stringMatching(/^cf-[0-9a-f]{24}$/),
          service: 'component:default/payments-api',
          version: 1,
          createdBy: ref,
          updatedBy: ref,
        });
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-create',
            outcome: 'success',
            meta: expect.objectContaining({
              entityRef: 'component:default/payments-api',
              result: { id: res.body.id, version: 1 },
            }),
          }),
        ]);
      });

      it('refuses another team with 403 in words, audits the refusal, creates nothing', async () => {
        const before = await list();
        const res = await create(user(BOB), { ...definition, name: 'bobs' });
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'you may not edit the codeflows of component:default/payments-api: only its owners and ops admins may',
        );
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-create',
            outcome: 'fail',
          }),
        ]);
        expect(await list()).toEqual(before);
      });

      it('refuses a request without identity with 401 and a service token with 403', async () => {
        expect(
          (await create(undefined, { ...definition, name: 'x1' })).status,
        ).toBe(401);
        expect(
          (
            await create(mockCredentials.service.header(), {
              ...definition,
              name: 'x2',
            })
          ).status,
        ).toBe(403);
        expect((await list()).map(c => c.name)).not.toEqual(
          expect.arrayContaining(['x1', 'x2']),
        );
      });
    });

    describe('the permission matrix of PUT and DELETE /services/:namespace/:name/codeflows/:id', () => {
      let id: string;
      let version: number;
      beforeAll(async () => {
        const res = await create(user(ALICE), {
          ...definition,
          name: 'matrix',
        });
        if (res.status !== 201) throw new Error(`create: ${res.text}`);
        id = res.body.id;
        version = res.body.version;
      });

      it.each([
        ['the owner team', ALICE],
        ['an ops admin', CAROL],
      ])('lets %s edit, audited', async (_who, ref) => {
        const res = await call('put', `${BASE}/${id}`, user(ref), {
          ...definition,
          name: 'matrix',
          port: 9000 + version,
          version,
        });
        expect(res.status).toBe(200);
        expect(res.body).toMatchObject({
          version: version + 1,
          updatedBy: ref,
          port: 9000 + version,
        });
        version = res.body.version;
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-update',
            outcome: 'success',
            meta: expect.objectContaining({ result: { id, version } }),
          }),
        ]);
      });

      it.each([
        ['another team', user(BOB), 403],
        ['no identity', undefined, 401],
        ['a service token', mockCredentials.service.header(), 403],
      ])('refuses %s (%s), changing nothing', async (_who, auth, status) => {
        const before = (await call('get', `${BASE}/${id}`, user(ALICE))).body;
        const put = await call('put', `${BASE}/${id}`, auth, {
          ...definition,
          name: 'matrix',
          port: 1,
          version,
        });
        expect(put.status).toBe(status);
        const del = await call('delete', `${BASE}/${id}`, auth);
        expect(del.status).toBe(status);
        expect((await call('get', `${BASE}/${id}`, user(ALICE))).body).toEqual(
          before,
        );
      });

      it('refuses another team in words, audited as failures', async () => {
        const put = await call('put', `${BASE}/${id}`, user(BOB), {
          ...definition,
          name: 'matrix',
          version,
        });
        expect(put.body.error.message).toBe(
          'you may not edit the codeflows of component:default/payments-api: only its owners and ops admins may',
        );
        const del = await call('delete', `${BASE}/${id}`, user(BOB));
        expect(del.body.error.message).toBe(put.body.error.message);
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-update',
            outcome: 'fail',
          }),
          expect.objectContaining({
            eventId: 'codeflow-delete',
            outcome: 'fail',
          }),
        ]);
      });

      it('answers 409 with the current codeflow to a stale version, and saves nothing', async () => {
        const current = (await call('get', `${BASE}/${id}`, user(ALICE))).body;
        const res = await call('put', `${BASE}/${id}`, user(ALICE), {
          ...definition,
          name: 'matrix',
          port: 1234,
          version: version - 1,
        });
        expect(res.status).toBe(409);
        expect(res.body.error.message).toContain('changed since you loaded it');
        expect(res.body.current).toEqual(current);
        const stale = await call(
          'delete',
          `${BASE}/${id}?version=${version - 1}`,
          user(ALICE),
        );
        expect(stale.status).toBe(409);
        expect(stale.body.current).toEqual(current);
        expect((await call('get', `${BASE}/${id}`, user(ALICE))).body).toEqual(
          current,
        );
      });

      it('lets the owner delete, audited; the codeflow is gone', async () => {
        const res = await call(
          'delete',
          `${BASE}/${id}?version=${version}`,
          user(ALICE),
        );
        expect(res.status).toBe(204);
        expect(events()).toEqual([
          expect.objectContaining({
            eventId: 'codeflow-delete',
            outcome: 'success',
            meta: expect.objectContaining({
              result: { id, name: 'matrix', version },
            }),
          }),
        ]);
        expect((await call('get', `${BASE}/${id}`, user(ALICE))).status).toBe(
          404,
        );
        expect((await list()).map(c => c.id)).not.toContain(id);
      });
    });

    it('answers 409 with the existing codeflow to a second create of a name', async () => {
      const res = await create(user(ALICE));
      expect(res.status).toBe(409);
      expect(res.body.current).toMatchObject({ name: 'build-and-deploy' });
    });

    it('lets anyone who can read the service read its codeflows; 404 for an id of another service', async () => {
      const [codeflow] = (await list()).filter(
        c => c.name === 'build-and-deploy',
      );
      const res = await call('get', `${BASE}/${codeflow.id}`, user(BOB));
      expect(res.status).toBe(200);
      expect(res.body).toEqual(codeflow);
      const other = await call(
        'get',
        `/api/codeflow/services/default/orders-api/codeflows/${codeflow.id}`,
        user(BOB),
      );
      expect(other.status).toBe(404);
      expect(other.body.error.message).toBe(
        `component:default/orders-api has no codeflow ${codeflow.id}`,
      );
    });

    it.each(
      [
        [
          { repositoryUrl: 'file:///etc/passwd' },
          'repositoryUrl: repositoryUrl is http, https or ssh, not file',
        ],
        [
          { repositoryUrl: 'https://ci:token@git.example.com/a.git' },
          'repositoryUrl: repositoryUrl holds no user name, password or token',
        ],
        [
          { repositoryUrl: 'https://git.example.com/a.git\nx' },
          'repositoryUrl: repositoryUrl has no spaces or control characters',
        ],
        [
          { repositoryUrl: 'git@host:-oProxyCommand' },
          'the path of repositoryUrl has no ..',
        ],
        [
          { credentials: 'nobody' },
          'credentials: there is no credential named nobody (there are gitlab-payments, deploy-key)',
        ],
        [
          { ref: { kind: 'branch', pattern: '../x' } },
          'ref.pattern: ref.pattern is',
        ],
        [
          { ref: { kind: 'sha', pattern: 'main' } },
          'ref.kind: ref.kind is branch or tag',
        ],
        [
          { buildImage: 'cobol-85' },
          'buildImage: there is no build image cobol-85 (there are jdk8-maven',
        ],
        [
          { buildScript: 'npm ci && npm test' },
          'buildScript: buildScript is a list of commands',
        ],
        [
          { buildScript: [['npm ci && npm test'], []] },
          'buildScript.1: buildScript command names at least the program',
        ],
        [
          { startCommand: 'node server.js' },
          'startCommand: startCommand is a command as a list of arguments',
        ],
        [
          { startCommand: ['node', 'a\u0000b'] },
          'startCommand.1: startCommand: an argument has no NUL character',
        ],
        [
          { artifactPath: '../../etc/passwd' },
          'artifactPath: artifactPath is relative to the repository',
        ],
        [
          { artifactPath: '/etc/passwd' },
          'artifactPath: artifactPath is relative',
        ],
        [
          { artifactPath: 'dist"]\nRUN ["id' },
          'artifactPath: artifactPath is letters',
        ],
        [
          { deployPath: 'app' },
          'deployPath: deployPath is absolute and normal',
        ],
        [
          { deployPath: '/app/../etc' },
          'deployPath: deployPath is absolute and normal',
        ],
        [{ port: 70000 }, 'port: port is between 1 and 65535'],
        [{ port: '8080' }, 'port: port is a number'],
        [
          { env: [{ name: '1BAD', value: 'x' }] },
          'env.0.name: env name is letters, digits and _',
        ],
        [
          { env: [{ name: 'A', value: 'x\nRUN id' }] },
          'env.0.value: env value is one line',
        ],
        [
          {
            env: [
              { name: 'A', value: '1' },
              { name: 'A', value: '2' },
            ],
          },
          'env.1.name: env name A is given twice',
        ],
        [
          { customDockerfile: 'x'.repeat(70 * 1024) },
          'customDockerfile: customDockerfile is at most 64 KiB',
        ],
        [
          {
            customDockerfile: 'FROM scratch',
            preprocessingScript: [['pip', 'install', 'x']],
          },
          'preprocessingScript: a custom Dockerfile replaces',
        ],
        [
          {
            targets: [
              {
                service: 'group:default/x',
                environment: 'test',
                placements: [],
              },
            ],
          },
          'targets.0.service: target service is a Component ref',
        ],
        [
          {
            triggers: {
              manual: true,
              webhook: {
                enabled: true,
                rules: [
                  {
                    ref: { kind: 'tag', pattern: 'v*' },
                    environment: 'staging',
                    approval: false,
                  },
                ],
              },
            },
          },
          'triggers.webhook.rules.0.environment: rule environment staging is no target',
        ],
        [{ secret: 'x' }, 'unknown field(s): secret'],
        [{ ref: 'main' }, 'ref: ref is {kind: branch or tag, pattern}'],
        [
          { triggers: 'manual' },
          'triggers: triggers is {manual, webhook: {enabled, rules}}',
        ],
        [{ env: ['A=1'] }, 'env.0: env entries are {name, value}'],
        [
          { targets: ['component:default/payments-api'] },
          'targets.0: a target is {service, environment, placements}',
        ],
        [
          { startCommand: ['node', ...Array(4).fill('x'.repeat(16_000))] },
          'invalid codeflow: the Dockerfile cannot be generated: the ENTRYPOINT line would be 64',
        ],
        [
          { repositoryUrl: '-oProxyCommand@host:a/b' },
          'repositoryUrl: repositoryUrl is an http(s) or ssh git URL',
        ],
        [
          { repositoryUrl: 'ssh://-oProxyCommand=id@host/a' },
          'repositoryUrl: repositoryUrl: neither its host nor its user starts with -',
        ],
        [
          { env: 'A=1', targets: 'x', triggers: null },
          'env: env is a list of {name, value}; targets: targets is a list of services to roll; triggers',
        ],
      ].map(([c, m]) => [m, c] as [string, object]),
    )('answers 400 naming the field: %s', async (message, change) => {
      const before = await list();
      const res = await create(user(ALICE), {
        ...definition,
        name: 'bad-one',
        ...change,
      });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(message);
      expect(await list()).toEqual(before);
    });

    describe('the targets', () => {
      const target = (t: object) => ({
        ...definition,
        name: 'targeted',
        targets: [t],
        triggers: { manual: true, webhook: { enabled: false, rules: [] } },
      });

      it('refuses another team’s service with 403 naming the target, saving nothing', async () => {
        const res = await create(
          user(ALICE),
          target({
            service: 'component:default/orders-api',
            environment: 'test',
            placements: [{ cluster: 'local-a', namespace: 'orders' }],
          }),
        );
        expect(res.status).toBe(403);
        expect(res.body.error.message).toBe(
          'targets.0: you may not roll component:default/orders-api from a codeflow: only its owners and ops admins may',
        );
        expect((await list()).map(c => c.name)).not.toContain('targeted');
      });

      it.each([
        [
          {
            service: 'component:default/payments-api',
            environment: 'test',
            placements: [{ cluster: 'local-a', namespace: 'orders' }],
          },
          'targets.0.placements.0: component:default/payments-api may not run in local-a/orders: its workloads are only in local-a/payments, local-b/payments',
        ],
        [
          {
            service: 'component:default/payments-worker',
            environment: 'test',
            placements: [{ cluster: 'local-z', namespace: 'payments' }],
          },
          'targets.0.placements.0.cluster: there is no cluster local-z (there are local-a, local-b)',
        ],
        [
          {
            service: 'component:default/nobody',
            environment: 'test',
            placements: [{ cluster: 'local-a', namespace: 'payments' }],
          },
          'targets.0.service: there is no service component:default/nobody in the catalog',
        ],
      ])('refuses %j with 400 naming the target', async (t, message) => {
        const res = await create(user(ALICE), target(t));
        expect(res.status).toBe(400);
        expect(res.body.error.message).toBe(`invalid codeflow: ${message}`);
        expect((await list()).map(c => c.name)).not.toContain('targeted');
      });

      it('lets ops target any service its binding covers', async () => {
        const res = await create(
          user(CAROL),
          target({
            service: 'component:default/orders-api',
            environment: 'test',
            placements: [{ cluster: 'local-a', namespace: 'orders' }],
          }),
        );
        expect(res.status).toBe(201);
      });
    });

    describe('GET …/codeflows/:id/dockerfile', () => {
      it('answers the generated Dockerfile, from the build image’s runtime base', async () => {
        const [codeflow] = (await list()).filter(
          c => c.name === 'build-and-deploy',
        );
        const res = await call(
          'get',
          `${BASE}/${codeflow.id}/dockerfile`,
          user(BOB),
        );
        expect(res.status).toBe(200);
        expect(res.body).toEqual({
          dockerfile: expect.stringContaining('\nFROM node:22-slim\n'),
          generated: true,
          buildArgs: [
            'CODEFLOW_REVISION',
            'CODEFLOW_CREATED',
            'CODEFLOW_BUILD_ID',
          ],
          preprocessing: null,
        });
        expect(res.body.dockerfile).toContain('\nUSER 10001:10001\n');
        expect(res.body.dockerfile).toContain(
          '\nCOPY --chown=10001:10001 ["dist", "/app/"]\n',
        );
        expect(res.body.dockerfile).toContain(
          '\nENTRYPOINT ["node", "dist/server.js"]\n',
        );
        expect(res.body.dockerfile).toContain(
          `"io.container-cloud.codeflow.id"="${codeflow.id}"`,
        );
      });

      it('builds FROM the pre-processing image, keyed by base and script; a changed script changes the key', async () => {
        const created = await create(user(ALICE), {
          ...definition,
          name: 'python-app',
          buildImage: 'python-3.12',
          startCommand: ['python', 'app.py'],
          preprocessingScript: [['pip', 'install', 'flask==3.0.0']],
        });
        expect(created.status).toBe(201);
        const path = `${BASE}/${created.body.id}/dockerfile`;
        const first = (await call('get', path, user(ALICE))).body;
        expect(first.preprocessing).toEqual({
          key: expect.stringMatching(/^[0-9a-f]{64}$/),
          dockerfile: expect.stringContaining(
            'FROM python:3.12-slim\nUSER 0:0\nRUN ["pip", "install", "flask==3.0.0"]\n',
          ),
        });
        expect(first.dockerfile).toContain(
          `\nFROM localhost/codeflow-preprocessed:${first.preprocessing.key.slice(
            0,
            32,
          )}\n`,
        );
        // an edit that leaves the script alone keeps the key
        const {
          id: _id,
          service: _s,
          createdAt: _ca,
          createdBy: _cb,
          updatedAt: _ua,
          updatedBy: _ub,
          ...edit
        } = created.body;
        await call('put', `${BASE}/${created.body.id}`, user(ALICE), {
          ...edit,
          port: 5000,
        });
        const same = (await call('get', path, user(ALICE))).body;
        expect(same.preprocessing.key).toBe(first.preprocessing.key);
        await call('put', `${BASE}/${created.body.id}`, user(ALICE), {
          ...edit,
          version: 2,
          preprocessingScript: [['pip', 'install', 'flask==3.0.1']],
        });
        const changed = (await call('get', path, user(ALICE))).body;
        expect(changed.preprocessing.key).not.toBe(first.preprocessing.key);
      });

      it('answers a custom Dockerfile as it was saved', async () => {
        const custom =
          'FROM busybox\nCOPY dist /app\nENTRYPOINT ["/app/run"]\n';
        const created = await create(user(ALICE), {
          ...definition,
          name: 'custom',
          customDockerfile: custom,
        });
        expect(created.status).toBe(201);
        const res = await call(
          'get',
          `${BASE}/${created.body.id}/dockerfile`,
          user(ALICE),
        );
        expect(res.body).toEqual({
          dockerfile: custom,
          generated: false,
          buildArgs: [],
          preprocessing: null,
        });
      });
    });

    it('lists the build images and the credentials by name', async () => {
      const images = await call('get', '/api/codeflow/build-images', user(BOB));
      expect(images.status).toBe(200);
      expect(images.body.items.map((b: { id: string }) => b.id)).toEqual([
        'jdk8-maven',
        'jdk8-gradle',
        'jdk11-maven',
        'jdk11-gradle',
        'jdk17-maven',
        'jdk17-gradle',
        'jdk21-maven',
        'jdk21-gradle',
        'node-18',
        'node-20',
        'node-22',
        'python-3.11',
        'python-3.12',
        'python-3.13',
        'go',
        'plain',
      ]);
      const credentials = await call(
        'get',
        '/api/codeflow/credentials',
        user(BOB),
      );
      expect(credentials.body).toEqual({
        items: [
          {
            name: 'gitlab-payments',
            description: 'read access to the payments group',
          },
          { name: 'deploy-key', description: '' },
        ],
      });
      expect((await call('get', '/api/codeflow/build-images')).status).toBe(
        401,
      );
    });

    it('never answers a codeflow’s webhook secret in its definition, list or Dockerfile', async () => {
      const [codeflow] = (await list()).filter(
        c => c.name === 'build-and-deploy',
      );
      // answered once, by the webhooks part (not collected in `answers`)
      const set = await request(backend.server)
        .post(`${BASE}/${codeflow.id}/webhook-secret`)
        .set('Authorization', user(ALICE));
      expect(set.status).toBe(201);
      const secret: string = set.body.secret;
      expect(secret.length).toBeGreaterThanOrEqual(32);
      for (const path of [
        BASE,
        `${BASE}/${codeflow.id}`,
        `${BASE}/${codeflow.id}/dockerfile`,
      ]) {
        const res = await call('get', path, user(ALICE));
        expect(res.status).toBe(200);
        expect(res.text).not.toContain(secret);
      }
      const edited = await call('put', `${BASE}/${codeflow.id}`, user(ALICE), {
        ...definition,
        version: codeflow.version,
      });
      expect(edited.status).toBe(200);
      expect(edited.text).not.toContain(secret);
    });

    it('never answers a credential’s value (every answer of this suite, and the audit)', async () => {
      expect(answers.length).toBeGreaterThan(50);
      for (const text of [
        ...answers,
        JSON.stringify([...allAudit, ...audit]),
      ]) {
        expect(text).not.toContain(GIT_TOKEN);
        expect(text).not.toContain('NEVER-SHOWN');
      }
      // and no answer has a field that could carry a secret
      for (const text of answers) {
        expect(text).not.toMatch(
          /"(password|token|secret|sshPrivateKey|webhookSecret)"/i,
        );
      }
    });
  });
});
