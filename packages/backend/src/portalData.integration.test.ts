import { ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { portalDataAppConfig } from '@internal/local-cloud';
import { useLocalCloud } from '@internal/local-cloud/testing';

// The embedded default keeps what a person makes: the real backend (this package, every plugin)
// on SQLite files named by the overlay local-cloud writes for ./scripts/start, stopped and started
// again on the same files. A domain, its published versions, the history of a scaled service's
// containers and the guest's sign-in are all still there afterwards. With the default ':memory:'
// database every one of them is gone after the restart.
jest.setTimeout(15 * 60_000);

const lc = useLocalCloud({ namespacePrefix: 'portal' });
const ROOT = path.resolve(__dirname, '../../..');
const PORT = 7027;
const BASE = `http://127.0.0.1:${PORT}`;
const SERVICE = 'portal-restart-probe';
const sleep = (ms: number) => new Promise(resolve => setTimeout(resolve, ms));

const work = fs.mkdtempSync(path.join(os.tmpdir(), 'portal-data-'));
const dataDir = path.join(work, 'portal-data');
const backendLog = path.join(work, 'backend.log');

/** Polls until check gives a value; the jest timeout bounds it. */
async function until<T>(
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  let last: unknown;
  for (let i = 0; i < 600; i++) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    await sleep(1000);
  }
  throw new Error(`gave up waiting for ${what}${last ? `: ${last}` : ''}`);
}

function writeConfig() {
  fs.mkdirSync(dataDir, { recursive: true });
  const portalData = path.join(work, 'app-config.portal-data.yaml');
  fs.writeFileSync(portalData, portalDataAppConfig(dataDir));
  // a catalog of the org and one service of team-payments (the guest's team), whose Deployment
  // lives in this test's namespace; team-payments are ops admins here so the guest may publish to
  // a private nginx cluster (files in a scratch folder; `nginx -t` still checks them)
  const entities = path.join(work, 'entities.yaml');
  fs.writeFileSync(
    entities,
    JSON.stringify({
      apiVersion: 'backstage.io/v1alpha1',
      kind: 'Component',
      metadata: {
        name: SERVICE,
        annotations: { 'backstage.io/kubernetes-id': SERVICE },
      },
      spec: {
        type: 'service',
        lifecycle: 'experimental',
        owner: 'team-payments',
      },
    }),
  );
  const overlay = path.join(work, 'app-config.test.yaml');
  fs.writeFileSync(
    overlay,
    JSON.stringify({
      app: { baseUrl: BASE },
      backend: {
        baseUrl: BASE,
        listen: { port: PORT, host: '127.0.0.1' },
        cors: { origin: BASE },
      },
      catalog: {
        locations: [
          {
            type: 'file',
            target: path.join(ROOT, 'examples/org.yaml'),
            rules: [{ allow: ['User', 'Group'] }],
          },
          { type: 'file', target: entities },
        ],
      },
      containerCloud: {
        permissions: { opsAdminGroups: ['group:default/team-payments'] },
        // the probe names no placements: where the local cloud requires team placements it would
        // control its workloads only in team-payments' grant (*/payments); ops place it here
        binding: {
          placements: {
            [`component:default/${SERVICE}`]: [`*/${lc.namespace}`],
          },
        },
        nginx: {
          clusters: [
            {
              name: 'local',
              environment: 'local',
              confDir: path.join(work, 'conf.d'),
              reloadCommand: ['true'],
            },
          ],
        },
      },
    }),
  );
  return [lc.info.appConfig, portalData, overlay];
}

/** The real backend, as ./scripts/start runs it, in a process group of its own. */
async function startBackend(configs: string[]): Promise<ChildProcess> {
  const log = fs.openSync(backendLog, 'a');
  const child = spawn(
    path.join(ROOT, 'node_modules/.bin/backstage-cli'),
    [
      'package',
      'start',
      '--config',
      path.join(ROOT, 'app-config.yaml'),
      ...configs.flatMap(c => ['--config', c]),
    ],
    {
      cwd: path.join(ROOT, 'packages/backend'),
      stdio: ['ignore', log, log],
      detached: true,
      // as ./scripts/start runs it (jest's 'test' would turn the guest sign-in off)
      env: { ...process.env, NODE_ENV: 'development' },
    },
  );
  let exited = false;
  child.once('exit', () => {
    exited = true;
  });
  await until('the backend to be ready', async () => {
    if (exited) {
      throw new Error(`the backend exited; see ${backendLog}`);
    }
    const res = await fetch(`${BASE}/.backstage/health/v1/readiness`);
    return res.ok ? true : undefined;
  });
  return child;
}

async function stopBackend(child: ChildProcess) {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise(resolve => child.once('exit', resolve));
  process.kill(-child.pid!, 'SIGTERM');
  const killed = await Promise.race([exited, sleep(30_000).then(() => false)]);
  if (killed === false) process.kill(-child.pid!, 'SIGKILL');
  await exited;
}

async function guestToken(): Promise<string> {
  const res = await fetch(`${BASE}/api/auth/guest/refresh`, {
    headers: { 'x-requested-with': 'XMLHttpRequest' },
  });
  if (!res.ok) throw new Error(`guest sign-in answered ${res.status}`);
  return (await res.json()).backstageIdentity.token;
}

async function call(token: string, method: string, url: string, body?: object) {
  const res = await fetch(`${BASE}${url}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body ? { 'content-type': 'application/json' } : {}),
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${url}: ${res.status} ${text}`);
  return JSON.parse(text);
}

const history = (token: string) =>
  call(
    token,
    'GET',
    `/api/services/services/default/${SERVICE}/history?cluster=local-a&limit=50`,
  );

describe('the portal on the embedded default', () => {
  let backend: ChildProcess | undefined;
  let failed = true;

  afterAll(async () => {
    if (backend) await stopBackend(backend);
    if (failed) {
      process.stderr.write(`the backend's log is kept: ${backendLog}\n`);
    } else {
      fs.rmSync(work, { recursive: true, force: true });
    }
  }, 60_000);

  it('keeps domains, versions, history containers and sign-ins across a restart', async () => {
    const configs = writeConfig();
    const api = lc.cloud.adminClient('local-a');
    try {
      const labels = { app: SERVICE, 'backstage.io/kubernetes-id': SERVICE };
      await api.expect(
        'POST',
        `/apis/apps/v1/namespaces/${lc.namespace}/deployments`,
        {
          apiVersion: 'apps/v1',
          kind: 'Deployment',
          metadata: { name: SERVICE, namespace: lc.namespace, labels },
          spec: {
            replicas: 1,
            selector: { matchLabels: { app: SERVICE } },
            template: {
              metadata: { labels },
              spec: {
                containers: [
                  {
                    name: 'app',
                    image: 'registry.example.com/payments/api:1.0.0',
                  },
                ],
              },
            },
          },
        },
      );
    } finally {
      api.close();
    }

    backend = await startBackend(configs);
    const token = await guestToken();
    await until('the service in the catalog', async () => {
      const res = await fetch(
        `${BASE}/api/catalog/entities/by-name/component/default/${SERVICE}`,
        { headers: { authorization: `Bearer ${token}` } },
      );
      return res.ok ? true : undefined;
    });

    // a domain, published: one version more than the test environments made
    await call(token, 'POST', '/api/nginx/domains', {
      // 0: a new domain (a save names the version it replaces)
      version: 0,
      name: 'restart-probe',
      cluster: 'local',
      serverNames: ['restart-probe.example.com'],
      listen: [{ address: '127.0.0.1', port: 18091 }],
      upstreams: [
        { name: 'app', members: [{ address: '127.0.0.1', port: 9001 }] },
      ],
      locations: [{ path: '/', upstream: 'app' }],
    });
    await call(token, 'POST', '/api/nginx/publish', {
      cluster: 'local',
      message: 'before the restart',
    });
    const versionsBefore = await call(
      token,
      'GET',
      '/api/nginx/versions?cluster=local',
    );
    expect(versionsBefore.items.map((v: any) => v.message)).toContain(
      'before the restart',
    );
    const domainsBefore = await call(
      token,
      'GET',
      '/api/nginx/domains?cluster=local',
    );

    // scaled to 3: the watch records each container in the history
    const view = await call(
      token,
      'GET',
      `/api/services/services/default/${SERVICE}`,
    );
    expect(JSON.stringify(view)).toContain(lc.namespace);
    // a scale names the Deployment's version the page shows; while the controller still writes
    // its status that version moves, and the scale is a 409 to read again
    await until('the scale accepted', async () => {
      const current = await call(
        token,
        'GET',
        `/api/services/services/default/${SERVICE}`,
      );
      const deployment = current.clusters
        .find((c: any) => c.cluster === 'local-a')
        ?.deployments.find((d: any) => d.name === SERVICE);
      if (!deployment) return undefined;
      const res = await fetch(
        `${BASE}/api/services/services/default/${SERVICE}/scale`,
        {
          method: 'POST',
          headers: {
            authorization: `Bearer ${token}`,
            'content-type': 'application/json',
          },
          body: JSON.stringify({
            cluster: 'local-a',
            namespace: lc.namespace,
            deployment: SERVICE,
            replicas: 3,
            resourceVersion: deployment.resourceVersion,
          }),
        },
      );
      if (res.status === 409) return undefined;
      if (!res.ok) throw new Error(`scale: ${res.status} ${await res.text()}`);
      return true;
    });
    const historyBefore = await until(
      '3 containers in the history',
      async () => {
        const page = await history(token);
        return page.total === 3 && page.items.every((p: any) => p.startedAt)
          ? page
          : undefined;
      },
    );

    await stopBackend(backend);
    backend = undefined;
    expect(fs.readdirSync(dataDir)).toEqual(
      expect.arrayContaining(['nginx.sqlite', 'services.sqlite']),
    );
    backend = await startBackend(configs);

    // the token signed before the restart is still good: the signing keys were kept too
    const domainsAfter = await call(
      token,
      'GET',
      '/api/nginx/domains?cluster=local',
    );
    const probe = (page: { items: any[] }) =>
      page.items.find(d => d.name === 'restart-probe');
    expect(probe(domainsBefore)).toBeDefined();
    expect(probe(domainsAfter)).toEqual(probe(domainsBefore));
    const versionsAfter = await call(
      token,
      'GET',
      '/api/nginx/versions?cluster=local',
    );
    expect(versionsAfter.items).toEqual(
      expect.arrayContaining(versionsBefore.items),
    );
    const historyAfter = await history(token);
    expect(historyAfter.total).toBe(3);
    expect(historyAfter.items).toEqual(historyBefore.items);
    failed = false;
  });
});
