import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import type { CodeflowList } from '@internal/plugin-container-cloud-common';
// the real codeflow backend, which the action calls over HTTP as the user
// eslint-disable-next-line @backstage/no-mixed-plugin-imports
import codeflowPlugin from '@internal/plugin-codeflow-backend';
import request from 'supertest';
import {
  BOB,
  GUEST,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { scaffolderAction } from './adapters';
import { codeflowCreateAction } from './codeflowCreateAction';

jest.setTimeout(120_000);

// The codeflow:create action against the real codeflow backend (its definitions routes, the
// catalog, the permission policy), on SQLite in memory; no cluster: the codeflows here roll no
// target, so no binding is read.
describe('container-cloud:codeflow:create', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;

  beforeAll(async () => {
    suite = await startSuiteBackend({
      clusters: [],
      features: [codeflowPlugin],
      containerCloud: {
        codeflow: { imageRegistry: 'registry.example.com/mirror' },
      },
    });
  });

  afterAll(() => suite?.backend.stop());

  async function run(
    user: string,
    input: object,
    options: { dryRun?: boolean } = {},
  ) {
    const outputs: Record<string, unknown> = {};
    const logs: string[] = [];
    const base = createMockActionContext({ input: input as any });
    const ctx = {
      ...base,
      isDryRun: options.dryRun,
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      logger: {
        ...base.logger,
        info: (m: string) => logs.push(m),
        error: (m: string) => logs.push(m),
        warn: (m: string) => logs.push(m),
      },
      getInitiatorCredentials: async () => mockCredentials.user(user),
    };
    await scaffolderAction(codeflowCreateAction, suite.deps).handler(
      ctx as any,
    );
    return { outputs, logs };
  }

  const definition = (name: string) => ({
    entityRef: 'component:default/payments-api',
    name,
    repositoryUrl: 'http://127.0.0.1:9/payments-api.git',
    buildImage: 'node-22',
    buildScript: [
      ['npm', 'ci'],
      ['npm', 'test'],
      ['npm', 'run', 'build'],
    ],
    artifactPath: 'dist',
    startCommand: ['node', 'dist/server.js'],
    port: 8080,
  });

  async function saved(): Promise<CodeflowList['items']> {
    const res = await request(suite.backend.server)
      .get('/api/codeflow/services/default/payments-api/codeflows')
      .set('Authorization', mockCredentials.user.header(GUEST));
    expect(res.status).toBe(200);
    return res.body.items;
  }

  it('a dry run says what it would create and saves nothing', async () => {
    const { outputs, logs } = await run(GUEST, definition('dry'), {
      dryRun: true,
    });
    expect(outputs).toMatchObject({
      name: 'dry',
      outcome: 'would-create',
      created: false,
      codeflowUrl:
        'http://localhost:3000/catalog/default/component/payments-api/codeflow',
    });
    expect(logs.join('\n')).toContain('would create codeflow dry');
    expect((await saved()).map(c => c.name)).not.toContain('dry');
  });

  it('creates it as the user, then finds it unchanged on a re-run', async () => {
    const first = await run(GUEST, definition('build-and-deploy'));
    expect(first.outputs).toMatchObject({
      name: 'build-and-deploy',
      outcome: 'created',
      created: true,
      version: 1,
    });
    expect(first.outputs.id).toMatch(/^cf-[0-9a-f]{24}$/);
    const [codeflow] = (await saved()).filter(
      c => c.name === 'build-and-deploy',
    );
    expect(codeflow).toMatchObject({
      id: first.outputs.id,
      createdBy: GUEST,
      deployPath: '/app',
      triggers: { manual: true, webhook: { enabled: false, rules: [] } },
    });

    const again = await run(GUEST, definition('build-and-deploy'));
    expect(again.outputs).toMatchObject({
      id: first.outputs.id,
      outcome: 'unchanged',
      created: false,
      version: 1,
    });
  });

  it('refuses another definition under that name, naming what differs, and changes nothing', async () => {
    await run(GUEST, definition('refused-change'));
    await expect(
      run(GUEST, { ...definition('refused-change'), port: 9090 }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringMatching(
        /has a codeflow named 'refused-change' already .* whose port differ; nothing was changed/,
      ),
    });
    const [codeflow] = (await saved()).filter(c => c.name === 'refused-change');
    expect(codeflow).toMatchObject({ port: 8080, version: 1 });
  });

  it('with update: true saves the new definition from the version it read', async () => {
    await run(GUEST, definition('updated'));
    const dry = await run(
      GUEST,
      { ...definition('updated'), port: 9090, update: true },
      { dryRun: true },
    );
    expect(dry.outputs.outcome).toBe('would-update');
    expect((await saved()).find(c => c.name === 'updated')).toMatchObject({
      port: 8080,
      version: 1,
    });

    const { outputs } = await run(GUEST, {
      ...definition('updated'),
      port: 9090,
      update: true,
    });
    expect(outputs).toMatchObject({ outcome: 'updated', version: 2 });
    expect((await saved()).find(c => c.name === 'updated')).toMatchObject({
      port: 9090,
      version: 2,
      updatedBy: GUEST,
    });
  });

  it('fails the step of a user without the permission with the backend’s 403 in words', async () => {
    await expect(run(BOB, definition('bobs'))).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'you may not edit the codeflows of component:default/payments-api: only its owners and ops admins may',
      ),
    });
    expect((await saved()).map(c => c.name)).not.toContain('bobs');
  });

  it('fails a bad definition with a 400 naming the field, before calling the backend', async () => {
    await expect(
      run(GUEST, { ...definition('bad-port'), port: 70000 }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'invalid codeflow: port: port is between 1 and 65535',
      ),
    });
    await expect(
      run(GUEST, { ...definition('bad-url'), repositoryUrl: 'ftp://x/y.git' }),
    ).rejects.toThrow('repositoryUrl');
  });

  it('passes on the backend’s own 400 naming the field (an unknown build image)', async () => {
    await expect(
      run(GUEST, { ...definition('bad-image'), buildImage: 'cobol-85' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining('buildImage'),
    });
    expect((await saved()).map(c => c.name)).not.toContain('bad-image');
  });

  describe('in the actions registry (what MCP clients call)', () => {
    const api = () => request(suite.backend.server);

    it('lists codeflow:create and codeflow:run with their schemas', async () => {
      const res = await api()
        .get('/api/scaffolder/.backstage/actions/v1/actions')
        .set('Authorization', mockCredentials.user.header(GUEST));
      expect(res.status).toBe(200);
      const byId = new Map<string, any>(
        res.body.actions.map((a: { id: string }) => [a.id, a]),
      );
      expect(
        Object.keys(
          byId.get('scaffolder:container-cloud-codeflow-create').schema.input
            .properties,
        ),
      ).toEqual(
        expect.arrayContaining(['entityRef', 'name', 'buildScript', 'dryRun']),
      );
      expect(
        Object.keys(
          byId.get('scaffolder:container-cloud-codeflow-run').schema.input
            .properties,
        ),
      ).toEqual(
        expect.arrayContaining(['entityRef', 'codeflow', 'commit', 'wait']),
      );
    });

    it('creates as the guest, refuses bob in the backend’s words', async () => {
      const invoke = (user: string, name: string) =>
        api()
          .post(
            '/api/scaffolder/.backstage/actions/v1/actions/scaffolder:container-cloud-codeflow-create/invoke',
          )
          .set('Authorization', mockCredentials.user.header(user))
          .send(definition(name));
      const allowed = await invoke(GUEST, 'from-mcp');
      expect(allowed.status).toBe(200);
      expect(allowed.body.output).toMatchObject({
        name: 'from-mcp',
        outcome: 'created',
      });
      const refused = await invoke(BOB, 'from-mcp-bob');
      expect(refused.status).toBe(403);
      expect(refused.body.error.message).toContain(
        'only its owners and ops admins may',
      );
      expect((await saved()).map(c => c.name)).not.toContain('from-mcp-bob');
    });
  });
});
