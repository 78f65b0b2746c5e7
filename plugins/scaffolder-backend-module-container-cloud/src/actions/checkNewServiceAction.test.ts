import { createServer, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  NewServiceCheck,
  NewServiceCheckResult,
  newServiceCheckResultSchema,
  newServiceCheckSchema,
} from '@internal/plugin-container-cloud-common';
import { SuiteClient } from '../lib/SuiteClient';
import { scaffolderAction } from './adapters';
import { checkNewServiceAction } from './checkNewServiceAction';

// The action against a loopback server speaking the deploy-targets contract (every body it gets
// parsed with newServiceCheckSchema, every answer with newServiceCheckResultSchema): what it
// sends, logs and outputs, and how it fails. The services backend's own route, with the real
// catalog, policy and clusters, is in the golden-path integration tests.

const GUEST = 'user:default/guest';

class FakeServicesBackend {
  server!: Server;
  url = '';
  /** each request: its path, its parsed body and who sent it */
  received: Array<{ path: string; body: NewServiceCheck; token: string }> = [];
  answer: (body: NewServiceCheck) => { status: number; body: unknown } = () => {
    throw new Error('no answer set');
  };

  async start() {
    this.server = createServer((req, res) => {
      let text = '';
      req.on('data', chunk => {
        text += chunk;
      });
      req.on('end', () => {
        const body = newServiceCheckSchema.parse(JSON.parse(text));
        this.received.push({
          path: `${req.method} ${req.url}`,
          body,
          token: String(req.headers.authorization),
        });
        const answer = this.answer(body);
        if (answer.status === 200)
          newServiceCheckResultSchema.parse(answer.body);
        res.writeHead(answer.status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(answer.body));
      });
    });
    await new Promise<void>(r => this.server.listen(0, '127.0.0.1', r));
    this.url = `http://127.0.0.1:${
      (this.server.address() as AddressInfo).port
    }`;
  }
}

const input = {
  name: 'payments-ledger',
  owner: 'group:default/team-payments',
  placements: [
    // the form's placements may carry replicas: only cluster and namespace are checked
    { cluster: 'local-a', namespace: 'payments', replicas: 2 },
    { cluster: 'local-b', namespace: 'payments' },
  ],
};

function result(
  entity: 'absent' | 'exists',
  outcome: 'would-create' | 'exists',
): NewServiceCheckResult {
  return {
    name: 'payments-ledger',
    owner: 'group:default/team-payments',
    entityRef: 'component:default/payments-ledger',
    entity,
    placements: [
      { cluster: 'local-a', namespace: 'payments', outcome },
      { cluster: 'local-b', namespace: 'payments', outcome: 'would-create' },
    ],
  };
}

describe('container-cloud:service:check-new', () => {
  const backend = new FakeServicesBackend();
  beforeAll(() => backend.start());
  afterAll(() => new Promise(r => backend.server.close(r)));
  beforeEach(() => {
    backend.received = [];
  });

  async function run(
    body: object,
    options: { dryRun?: boolean; user?: string } = {},
  ) {
    const client = new SuiteClient({
      discovery: {
        getBaseUrl: async plugin => `${backend.url}/api/${plugin}`,
        getExternalBaseUrl: async plugin => `${backend.url}/api/${plugin}`,
      },
      auth: mockServices.auth(),
    });
    const outputs: Record<string, any> = {};
    const logs: string[] = [];
    const base = createMockActionContext({ input: body as any });
    const ctx = {
      ...base,
      isDryRun: options.dryRun,
      output: (name: string, value: unknown) => {
        outputs[name] = value;
      },
      logger: { ...base.logger, info: (m: string) => logs.push(m) },
      getInitiatorCredentials: async () =>
        mockCredentials.user(options.user ?? GUEST),
    };
    await scaffolderAction(checkNewServiceAction, {
      client,
      appBaseUrl: 'http://localhost:3000',
    }).handler(ctx as any);
    return { outputs, logs };
  }

  it('asks the services backend as the user, and logs what it would create', async () => {
    backend.answer = () => ({
      status: 200,
      body: result('absent', 'would-create'),
    });
    const { outputs, logs } = await run(input);
    expect(backend.received).toEqual([
      {
        path: 'POST /api/services/deploy-targets/check',
        body: {
          name: 'payments-ledger',
          owner: 'group:default/team-payments',
          placements: [
            { cluster: 'local-a', namespace: 'payments' },
            { cluster: 'local-b', namespace: 'payments' },
          ],
        },
        // a token on behalf of the user who runs the template, not the scaffolder's own
        token: expect.stringContaining(GUEST),
      },
    ]);
    expect(outputs).toEqual({
      entityRef: 'component:default/payments-ledger',
      entity: 'absent',
      placements: result('absent', 'would-create').placements,
    });
    expect(logs).toEqual([
      'component:default/payments-ledger: would create (owner group:default/team-payments)',
      'local-a/payments: would create deployment payments-ledger',
      'local-b/payments: would create deployment payments-ledger',
    ]);
  });

  it('says what an earlier run made, and goes on', async () => {
    backend.answer = () => ({ status: 200, body: result('exists', 'exists') });
    const { outputs, logs } = await run(input);
    expect(outputs.entity).toBe('exists');
    expect(logs).toEqual([
      'component:default/payments-ledger: exists: made by an earlier run (owner group:default/team-payments); it is used as it is',
      'local-a/payments: deployment payments-ledger exists: made by an earlier run',
      'local-b/payments: would create deployment payments-ledger',
    ]);
  });

  it('makes the same check in a dry run (it writes nothing either way)', async () => {
    backend.answer = () => ({
      status: 200,
      body: result('absent', 'would-create'),
    });
    const { outputs } = await run(input, { dryRun: true });
    expect(backend.received).toHaveLength(1);
    expect(outputs.entity).toBe('absent');
  });

  it.each([
    [
      403,
      'NotAllowedError',
      'you may not create services for group:default/team-payments: you are not a member',
    ],
    [
      409,
      'ConflictError',
      'payments-ledger is the name of component:default/payments-ledger, owned by group:default/team-orders',
    ],
  ])(
    'fails the step with the backend’s %i in its words',
    async (status, name, message) => {
      backend.answer = () => ({ status, body: { error: { name, message } } });
      await expect(run(input)).rejects.toMatchObject({ name, message });
    },
  );

  it('refuses bad input in the contract’s words before asking anything', async () => {
    await expect(run({ ...input, name: 'Not_A_Name' })).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringMatching(/^invalid new service: name: /),
    });
    await expect(run({ ...input, placements: [] })).rejects.toThrow(
      /placements/,
    );
    expect(backend.received).toEqual([]);
  });
});
