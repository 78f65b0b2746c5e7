import { mockCredentials } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  BOB,
  GUEST,
  startSuiteBackend,
} from '../__testUtils__/startSuiteBackend';
import { scaffolderAction } from './adapters';
import { createServiceAction } from './createServiceAction';
import { suiteActions } from '.';
import type { SuiteAction } from './SuiteAction';

jest.setTimeout(120_000);

// Without a cluster: what the actions do before any cluster is touched, with the real services
// backend, catalog and policy behind them.
describe('the suite actions, before a cluster is touched', () => {
  let suite: Awaited<ReturnType<typeof startSuiteBackend>>;

  beforeAll(async () => {
    suite = await startSuiteBackend({ clusters: [] });
  });

  afterAll(() => suite?.backend.stop());

  function run(action: SuiteAction<any, any>, user: string, input: object) {
    const ctx = {
      ...createMockActionContext({ input: input as any }),
      getInitiatorCredentials: async () => mockCredentials.user(user),
    };
    return scaffolderAction(action, suite.deps).handler(ctx as any);
  }

  const service = {
    entityRef: 'component:default/payments-api',
    image: 'registry.example.com/payments/api:1.0.0',
    port: 8080,
    placements: [{ cluster: 'local-a', namespace: 'payments' }],
  };

  it('declares each action once, with a scaffolder id and an MCP name', () => {
    const ids = suiteActions.map(a => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const action of suiteActions) {
      expect(action.id).toMatch(/^container-cloud:[a-z-]+(:[a-z-]+)+$/);
      expect(action.registryName).toBe(action.id.replace(/:/g, '-'));
      expect(action.examples.length).toBeGreaterThan(0);
    }
  });

  it('fails the step of a user without the permission with the backend’s 403 message', async () => {
    await expect(run(createServiceAction, BOB, service)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message: expect.stringContaining(
        'you may not service.create component:default/payments-api: only its owners and ops admins may',
      ),
    });
  });

  it('lets the owner through to the cluster (here: none configured)', async () => {
    await expect(
      run(createServiceAction, GUEST, service),
    ).rejects.toMatchObject({
      name: 'NotFoundError',
      message: expect.stringContaining("no cluster named 'local-a'"),
    });
  });

  it('fails the step with the contract’s words for a bad input, before calling anything', async () => {
    await expect(
      run(createServiceAction, GUEST, {
        ...service,
        resources: { requests: { cpu: '2' }, limits: { cpu: '1' } },
      }),
    ).rejects.toThrow(
      'invalid service: resources: resources.requests.cpu (2) is above resources.limits.cpu (1)',
    );
    await expect(
      run(createServiceAction, GUEST, {
        ...service,
        entityRef: 'group:default/x',
      }),
    ).rejects.toThrow('entityRef');
  });

  it('answers 404 for a service not in the catalog', async () => {
    await expect(
      run(createServiceAction, GUEST, {
        ...service,
        entityRef: 'component:default/nope',
      }),
    ).rejects.toMatchObject({ name: 'NotFoundError' });
  });
});
