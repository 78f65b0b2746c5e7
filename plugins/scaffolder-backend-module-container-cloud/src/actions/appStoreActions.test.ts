import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import {
  InstanceDetail,
  instanceAttachSchema,
  instanceInstallSchema,
} from '@internal/plugin-container-cloud-common';
import type { z } from 'zod';
import { SuiteClient } from '../lib/SuiteClient';
import { scaffolderAction } from './adapters';
import { appStoreInstallAction } from './appStoreInstallAction';
import { appStoreUninstallAction } from './appStoreUninstallAction';
import { waitForReady } from './appStoreShared';
import type { SuiteAction } from './SuiteAction';

const GUEST = 'user:default/guest';
const BOB = 'user:default/bob';
const BASE = 'http://localhost:7007/api/app-store';

/**
 * The app-store backend's routes as the contract describes them (the real backend runs in
 * appStoreActions.integration.test.ts): request bodies parsed with the contract's schemas (a 400
 * in its words), the owner's permission (the guest owns payments-api, bob nothing: a 403 in the
 * backend's words), a name's one live instance (a 409), an install that is `installing` on the
 * first look and `ready` on the next. Every call is recorded, so a test sees what reached it.
 */
class AppStoreRoutes {
  readonly instances = new Map<string, InstanceDetail>();
  readonly calls: Array<{ method: string; path: string; body?: any }> = [];
  readonly attached: Array<{ instance: string; body: unknown }> = [];
  /** installs fail on their second look, as a pod that cannot start */
  failInstalls = false;
  /** installs stay installing, as pods that are never scheduled */
  holdInstalls = false;
  private readonly looks = new Map<string, number>();

  readonly fetch = async (url: string | URL | Request, init?: RequestInit) => {
    const path = String(url).slice(BASE.length);
    const method = init?.method ?? 'GET';
    const body = init?.body ? JSON.parse(String(init.body)) : undefined;
    this.calls.push({ method, path, body });
    const token = String(
      (init?.headers as Record<string, string>).authorization,
    );
    const user = JSON.parse(token.slice(token.indexOf('{'))).obo as string;
    const [status, answer] = this.answer(method, path, body, user);
    return new Response(answer === undefined ? '' : JSON.stringify(answer), {
      status,
      headers: { 'content-type': 'application/json' },
    });
  };

  private answer(
    method: string,
    path: string,
    body: any,
    user: string,
  ): [number, unknown] {
    const error = (status: number, message: string): [number, unknown] => [
      status,
      { error: { name: 'Error', message } },
    ];
    if (method === 'GET' && path === '/charts') {
      return [
        200,
        {
          items: [
            chart('redis', ['0.2.0', '0.1.0']),
            chart('mysql', ['0.2.0', '0.1.0']),
          ],
          repositories: [
            { name: 'local', kind: 'oci', url: 'oci://x/charts', ok: true },
          ],
        },
      ];
    }
    if (method === 'POST' && path === '/instances') {
      const parsed = instanceInstallSchema.safeParse(body);
      if (!parsed.success) {
        const issue = parsed.error.issues[0];
        return error(400, `${issue.path.join('.')}: ${issue.message}`);
      }
      const install = parsed.data;
      if (user !== GUEST || install.owner !== 'component:default/payments-api')
        return error(
          403,
          `you may not app-store.install ${install.owner}: only its owners and ops admins may`,
        );
      const key = `${install.cluster}/${install.namespace}/${install.name}`;
      if (this.instances.has(key))
        return error(409, `an instance named ${install.name} exists`);
      const detail = instance(install, 'installing');
      if (install.dryRun) return [200, detail];
      this.instances.set(key, detail);
      return [202, detail];
    }
    const match = /^\/instances\/([^/]+)\/([^/]+)\/([^/]+)(\/attach)?$/.exec(
      path,
    );
    const key = match && match.slice(1, 4).join('/');
    const found = key ? this.instances.get(key) : undefined;
    if (!match || !key) return error(404, `no route ${method} ${path}`);
    if (!found) return error(404, `no instance ${key}`);
    if (method === 'GET' && !match[4]) {
      const looks = (this.looks.get(key) ?? 0) + 1;
      this.looks.set(key, looks);
      if (looks > 1 && found.phase === 'installing' && this.failInstalls) {
        this.instances.set(key, {
          ...found,
          phase: 'failed',
          failure: {
            resource: `Pod ${found.name}-0`,
            reason: 'ImagePullBackOff',
            events: ['Failed to pull image "redis:7": not found'],
          },
        });
      } else if (
        looks > 1 &&
        found.phase === 'installing' &&
        !this.holdInstalls
      ) {
        this.instances.set(key, {
          ...found,
          phase: 'ready',
          ready: { ready: 1, total: 1 },
          progress: [
            { step: 'helm', state: 'done', message: 'deployed' },
            { step: 'pods', state: 'done', message: '1/1 ready' },
            { step: 'ready', state: 'done', message: 'ready' },
          ],
        });
      }
      return [200, this.instances.get(key)];
    }
    if (user !== GUEST)
      return error(403, `you may not change ${found.owner}'s instances`);
    if (method === 'DELETE') {
      this.instances.set(key, { ...found, phase: 'deleted' });
      return [200, { ok: true }];
    }
    if (method === 'POST' && match[4]) {
      instanceAttachSchema.parse(body);
      this.attached.push({ instance: key, body });
      return [
        200,
        {
          service: body.service,
          cluster: found.cluster,
          namespace: found.namespace,
          deployment: 'payments-api',
          container: 'app',
          variables: ['HOST', 'PORT', 'PASSWORD'].map(
            v => `${body.prefix}${v}`,
          ),
          notes: [],
        },
      ];
    }
    return error(404, `no route ${method} ${path}`);
  }
}

function chart(name: string, versions: string[]) {
  return {
    repository: 'local',
    name,
    description: name,
    keywords: [],
    versions: versions.map(version => ({ version })),
  };
}

function instance(
  install: z.output<typeof instanceInstallSchema>,
  phase: InstanceDetail['phase'],
): InstanceDetail {
  return {
    cluster: install.cluster,
    namespace: install.namespace,
    name: install.name,
    repository: install.repository,
    chart: install.chart,
    version: install.version,
    owner: install.owner,
    environment: install.environment,
    phase,
    createdBy: GUEST,
    createdAt: '2026-12-07T03:00:00Z',
    expiresAt: '2026-12-14T03:00:00Z',
    ready: { ready: 0, total: 1 },
    simulated: true,
    progress: [{ step: 'helm', state: 'running', message: 'installing' }],
    pods: [],
    history: [],
    connection: {
      host: `${install.name}-${install.chart}.${install.namespace}.svc`,
      port: install.chart === 'redis' ? 6379 : 3306,
      user: install.chart === 'redis' ? undefined : 'app',
      passwordSecret: {
        name: `${install.name}-${install.chart}`,
        key: 'password',
      },
    },
  };
}

describe('the app store actions (against the contract’s routes)', () => {
  let routes: AppStoreRoutes;
  let deps: { client: SuiteClient; appBaseUrl: string };

  beforeEach(() => {
    routes = new AppStoreRoutes();
    deps = {
      client: new SuiteClient({
        auth: mockServices.auth(),
        discovery: {
          getBaseUrl: async plugin => `http://localhost:7007/api/${plugin}`,
          getExternalBaseUrl: async plugin =>
            `http://localhost:7007/api/${plugin}`,
        },
        fetch: routes.fetch as typeof fetch,
      }),
      appBaseUrl: 'http://localhost:3000',
    };
  });

  function context(user: string, input: object, isDryRun = false) {
    return {
      ...createMockActionContext({ input: input as any }),
      isDryRun,
      getInitiatorCredentials: async () => mockCredentials.user(user),
    };
  }

  async function run(
    action: SuiteAction<any, any>,
    user: string,
    input: object,
    isDryRun = false,
  ) {
    const ctx = context(user, input, isDryRun);
    await scaffolderAction(action, deps).handler(ctx as any);
    return Object.fromEntries(
      (ctx.output as jest.Mock).mock.calls.map(([k, v]) => [k, v]),
    );
  }

  const redis = {
    chart: 'redis',
    owner: 'component:default/payments-api',
    cluster: 'local-a',
    namespace: 'payments',
    name: 'payments-cache',
  };
  const installs = () =>
    routes.calls.filter(c => c.method === 'POST' && c.path === '/instances');

  it('installs the newest version, waits until ready, outputs the connection but no password', async () => {
    const out = await run(appStoreInstallAction, GUEST, redis);
    expect(installs()).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({
          repository: 'local',
          chart: 'redis',
          version: '0.2.0',
          owner: 'component:default/payments-api',
          environment: 'test',
          preset: 'small',
        }),
      }),
    ]);
    expect(installs()[0].body).not.toHaveProperty('dryRun');
    expect(out).toEqual({
      outcome: 'installed',
      cluster: 'local-a',
      namespace: 'payments',
      name: 'payments-cache',
      repository: 'local',
      chart: 'redis',
      version: '0.2.0',
      owner: 'component:default/payments-api',
      phase: 'ready',
      host: 'payments-cache-redis.payments.svc',
      port: 6379,
      passwordSecret: 'payments-cache-redis',
      passwordSecretKey: 'password',
      expiresAt: '2026-12-14T03:00:00Z',
      instanceUrl:
        'http://localhost:3000/app-store/instances/local-a/payments/payments-cache',
    });
    expect(JSON.stringify(out)).not.toMatch(/"password":/);
  });

  it('is idempotent: a re-run (shorthand owner, no version) finds the instance and installs nothing', async () => {
    const first = await run(appStoreInstallAction, GUEST, redis);
    const again = await run(appStoreInstallAction, GUEST, {
      ...redis,
      owner: 'payments-api',
    });
    expect(installs()).toHaveLength(1);
    expect(again).toEqual({ ...first, outcome: 'unchanged' });
  });

  it('refuses another instance of that name (chart, version or owner), and changes nothing', async () => {
    await run(appStoreInstallAction, GUEST, redis);
    await expect(
      run(appStoreInstallAction, GUEST, { ...redis, chart: 'mysql' }),
    ).rejects.toMatchObject({
      name: 'ConflictError',
      message: expect.stringContaining(
        'local-a/payments/payments-cache is an app store instance already, with chart redis',
      ),
    });
    await expect(
      run(appStoreInstallAction, GUEST, { ...redis, version: '0.1.0' }),
    ).rejects.toThrow('with version 0.2.0');
    await expect(
      run(appStoreInstallAction, GUEST, {
        ...redis,
        owner: 'group:default/team-payments',
      }),
    ).rejects.toThrow('with owner component:default/payments-api');
    expect(installs()).toHaveLength(1);
  });

  it('takes a form’s empty version and storage as not given (the newest version, the chart’s storage)', async () => {
    await run(appStoreInstallAction, GUEST, {
      ...redis,
      version: '',
      storage: '',
      waitForReady: false,
    });
    expect(installs()[0].body).toMatchObject({ version: '0.2.0' });
    expect(installs()[0].body).not.toHaveProperty('storage');
  });

  it('a dry run asks the backend with dryRun: true and installs nothing', async () => {
    const out = await run(
      appStoreInstallAction,
      GUEST,
      { ...redis, attachTo: { service: 'payments-api', prefix: 'REDIS_' } },
      true,
    );
    expect(out.outcome).toBe('would-install');
    expect(installs()).toEqual([
      expect.objectContaining({
        body: expect.objectContaining({ dryRun: true }),
      }),
    ]);
    expect(routes.instances.size).toBe(0);
    expect(routes.attached).toEqual([]);
  });

  it('fails the step with the backend’s 403 for a user who may not, nothing installed', async () => {
    await expect(run(appStoreInstallAction, BOB, redis)).rejects.toMatchObject({
      name: 'NotAllowedError',
      message:
        'you may not app-store.install component:default/payments-api: only its owners and ops admins may',
    });
    expect(routes.instances.size).toBe(0);
  });

  it('fails the step with a 400 naming the field, before anything is sent', async () => {
    await expect(
      run(appStoreInstallAction, GUEST, { ...redis, name: 'Payments_Cache' }),
    ).rejects.toMatchObject({
      name: 'InputError',
      message: expect.stringContaining(
        'invalid instance: name: lower-case letters',
      ),
    });
    await expect(
      run(appStoreInstallAction, GUEST, { ...redis, storage: '10 gigs' }),
    ).rejects.toThrow(
      "invalid install: storage: '10 gigs' is no size with a unit",
    );
    await expect(
      run(appStoreInstallAction, GUEST, {
        ...redis,
        owner: 'user:default/bob',
      }),
    ).rejects.toThrow('owner: user:default/bob is a user');
    await expect(
      run(appStoreInstallAction, GUEST, { ...redis, chart: 'postgres' }),
    ).rejects.toThrow(
      "chart: no chart 'postgres' in the app store; it offers: redis, mysql",
    );
    expect(installs()).toEqual([]);
  });

  it('attaches the connection details to the chosen service once ready', async () => {
    const out = await run(appStoreInstallAction, GUEST, {
      ...redis,
      waitForReady: false,
      attachTo: { service: 'payments-api', prefix: 'REDIS_' },
    });
    expect(routes.attached).toEqual([
      {
        instance: 'local-a/payments/payments-cache',
        body: { service: 'component:default/payments-api', prefix: 'REDIS_' },
      },
    ]);
    expect(out).toMatchObject({
      phase: 'ready',
      attachedTo: 'component:default/payments-api',
      variables: ['REDIS_HOST', 'REDIS_PORT', 'REDIS_PASSWORD'],
    });
  });

  it('fails the step with the failing resource, the reason and its events when the install fails', async () => {
    routes.failInstalls = true;
    await expect(run(appStoreInstallAction, GUEST, redis)).rejects.toThrow(
      'instance local-a/payments/payments-cache is failed: Pod payments-cache-0: ImagePullBackOff; Failed to pull image "redis:7": not found. Retry or remove it on its App store page.',
    );
    // a re-run finds the failed instance (the same one): no second install, the same failure
    await expect(run(appStoreInstallAction, GUEST, redis)).rejects.toThrow(
      'ImagePullBackOff',
    );
    expect(installs()).toHaveLength(1);
  });

  it('stops waiting at the bound and says the instance is still there, with its last progress', async () => {
    routes.holdInstalls = true;
    await run(appStoreInstallAction, GUEST, { ...redis, waitForReady: false });
    const logger = mockServices.logger.mock();
    await expect(
      waitForReady({
        client: deps.client,
        credentials: mockCredentials.user(GUEST),
        key: {
          cluster: 'local-a',
          namespace: 'payments',
          name: 'payments-cache',
        },
        logger,
        timeoutSeconds: 0,
      }),
    ).rejects.toThrow(
      'instance local-a/payments/payments-cache was not ready within 0 s; it is still there (installing (pods 0/1, simulated on kwok nodes) — helm running: installing). Look at it on its App store page, or uninstall it.',
    );
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining(
        'instance local-a/payments/payments-cache: installing',
      ),
    );
  });

  it('uninstalls once: a re-run finds nothing to do; a dry run and a guard remove nothing', async () => {
    await run(appStoreInstallAction, GUEST, redis);
    const key = {
      cluster: 'local-a',
      namespace: 'payments',
      name: 'payments-cache',
    };

    const dry = await run(appStoreUninstallAction, GUEST, key, true);
    expect(dry.outcome).toBe('would-uninstall');
    await expect(
      run(appStoreUninstallAction, GUEST, { ...key, chart: 'mysql' }),
    ).rejects.toThrow(
      'is another app store instance, with chart redis; nothing was removed',
    );
    await expect(run(appStoreUninstallAction, BOB, key)).rejects.toMatchObject({
      name: 'NotAllowedError',
    });
    expect(routes.calls.filter(c => c.method === 'DELETE')).toHaveLength(1);
    expect(routes.instances.get('local-a/payments/payments-cache')?.phase).toBe(
      'ready',
    );

    const removed = await run(appStoreUninstallAction, GUEST, {
      ...key,
      chart: 'redis',
      owner: 'payments-api',
    });
    expect(removed).toEqual({
      outcome: 'uninstalled',
      ...key,
      chart: 'redis',
      owner: 'component:default/payments-api',
    });
    const again = await run(appStoreUninstallAction, GUEST, key);
    expect(again).toEqual({ outcome: 'absent', ...key });
    expect(routes.calls.filter(c => c.method === 'DELETE')).toHaveLength(2);
  });
});
