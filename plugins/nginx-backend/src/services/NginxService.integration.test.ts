import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NginxStore } from '../database/NginxStore';
import { shopDomain } from '../__testUtils__/domains';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
  waitFor,
} from '../__testUtils__/scratchNginx';
import type { Domain } from '@internal/plugin-container-cloud-common';
import { NginxService } from './NginxService';

jest.setTimeout(60_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});
const CAROL = 'user:default/carol';

type Backend = Awaited<ReturnType<typeof startNamedBackend>>;

describe('publishing to a real nginx', () => {
  let nginx: Awaited<ReturnType<typeof startScratchNginx>>;
  let stable: Backend;
  let stable2: Backend;
  let canary: Backend;
  let service: NginxService;
  let port: number;
  let domain: Domain;
  let url: string;

  beforeAll(async () => {
    [nginx, stable, stable2, canary, port] = await Promise.all([
      startScratchNginx(),
      startNamedBackend('stable'),
      startNamedBackend('stable2'),
      startNamedBackend('canary'),
      freePort(),
    ]);
    url = `http://127.0.0.1:${port}/`;
    const knex = await databases.init('SQLITE_3');
    const store = await NginxStore.create(mockServices.database({ knex }));
    service = new NginxService(
      {
        binary: '/usr/sbin/nginx',
        clusters: [
          {
            name: 'edge',
            environment: 'test',
            nodes: [
              {
                name: 'edge-1',
                confDir: nginx.confDir,
                reloadCommand: nginx.reloadCommand,
              },
            ],
            deliveryRetries: 0,
            reloadTimeoutSeconds: 30,
          },
          {
            name: 'broken',
            environment: 'test',
            nodes: [
              {
                name: 'good',
                confDir: join(nginx.prefix, 'good.d'),
                reloadCommand: ['/bin/true'],
              },
              {
                name: 'bad',
                confDir: join(nginx.prefix, 'broken.d'),
                reloadCommand: ['/bin/false'],
              },
            ],
            deliveryRetries: 1,
            reloadTimeoutSeconds: 30,
          },
        ],
      },
      store,
    );
    domain = shopDomain({
      owner: 'component:default/shop',
      listen: [{ address: '127.0.0.1', port }],
      upstreams: [
        {
          name: 'stable',
          members: [
            {
              address: '127.0.0.1',
              port: stable.port,
              weight: 3,
              maxFails: 2,
              failTimeoutSeconds: 5,
            },
            { address: '127.0.0.1', port: stable2.port, weight: 1 },
          ],
        },
        {
          name: 'canary',
          members: [{ address: '127.0.0.1', port: canary.port }],
        },
      ],
      locations: [{ path: '/', upstream: 'stable' }],
    });
  });

  afterAll(async () => {
    await nginx?.stop();
    await Promise.all([stable, stable2, canary].map(b => b?.stop()));
  });

  async function count(n: number, init?: RequestInit) {
    const seen: Record<string, number> = {};
    for (let i = 0; i < n; i++) {
      const body = await (await fetch(url, init)).text();
      seen[body] = (seen[body] ?? 0) + 1;
    }
    return seen;
  }

  const anyStable = (body: string) => body === 'stable' || body === 'stable2';

  it('serves a published domain with its weight split and canary rules', async () => {
    await service.saveDomain(domain, CAROL);
    const result = await service.publish('edge', 'first', CAROL);
    expect(result).toEqual({
      version: expect.any(Number),
      ok: true,
      delivery: [{ node: 'edge-1', ok: true, message: 'written and reloaded' }],
    });
    await waitFor(url, body => anyStable(body) || body === 'canary');

    // 400 requests, 20% to the canary: expected 80 (σ = 8); the stable two share the rest 3:1
    const split = await count(400);
    expect(
      (split.stable ?? 0) + (split.stable2 ?? 0) + (split.canary ?? 0),
    ).toBe(400);
    expect(split.canary).toBeGreaterThanOrEqual(40);
    expect(split.canary).toBeLessThanOrEqual(120);
    const stableShare = split.stable! / (split.stable! + split.stable2!);
    expect(stableShare).toBeGreaterThan(0.6);
    expect(stableShare).toBeLessThan(0.9);

    // the header and the cookie rules always reach the canary; other values do not
    expect(await count(50, { headers: { 'X-Canary': 'always' } })).toEqual({
      canary: 50,
    });
    expect(await count(50, { headers: { Cookie: 'canary=yes' } })).toEqual({
      canary: 50,
    });
    const other = await count(100, {
      headers: { 'X-Canary': 'nope', Cookie: 'canary=no' },
    });
    expect((other.stable ?? 0) + (other.stable2 ?? 0)).toBeGreaterThan(50);
  });

  it('rolls back to the previous file byte for byte, and diffs versions', async () => {
    const [first] = await service.listVersions('edge');
    const before = await readFile(join(nginx.confDir, 'shop.conf'), 'utf8');
    expect(before).toBe(
      (await service.getVersion('edge', first.id)).files['shop.conf'],
    );

    await service.saveDomain(
      {
        ...domain,
        grayRelease: { stable: 'stable', canary: 'canary', canaryPercent: 100 },
      },
      CAROL,
    );
    const second = await service.publish('edge', 'all canary', CAROL);
    await waitFor(url, body => body === 'canary');
    expect(await count(30)).toEqual({ canary: 30 });

    const diff = await service.diff('edge', first.id, second.version);
    expect(diff.files).toHaveLength(1);
    expect(diff.files[0].lines.filter(l => l.op !== ' ')).toEqual(
      expect.arrayContaining([
        { op: '-', text: '    20% shop__canary;' },
        { op: '+', text: '    * shop__canary;' },
      ]),
    );

    const rollback = await service.rollback('edge', first.id, undefined, CAROL);
    expect(rollback.ok).toBe(true);
    expect(await readFile(join(nginx.confDir, 'shop.conf'), 'utf8')).toBe(
      before,
    );
    expect(
      (await service.getVersion('edge', rollback.version)).files['shop.conf'],
    ).toBe(before);
    await waitFor(url, anyStable);
    expect(
      (await service.listDomains('edge'))[0].grayRelease?.canaryPercent,
    ).toBe(20);
    const [latest] = await service.listVersions('edge');
    expect(latest).toMatchObject({
      id: rollback.version,
      rollbackOf: first.id,
      message: `rollback to version ${first.id}`,
      createdBy: CAROL,
    });
  });

  it('publishes an upstream member edit at once, on top of the published version only', async () => {
    // an unpublished draft change of ops: it must stay a draft
    await service.saveDomain(
      { ...domain, serverNames: ['draft.example.com'] },
      CAROL,
    );
    const result = await service.updateMembers(
      'edge',
      'shop',
      {
        version: (await service.getDomainView('edge', 'shop')).version,
        upstreams: [
          {
            name: 'stable',
            members: [{ address: '127.0.0.1', port: stable2.port }],
          },
        ],
      },
      'user:default/alice',
    );
    expect(result.publish?.ok).toBe(true);
    await waitFor(url, body => body === 'stable2' || body === 'canary');
    const published = (
      await service.getVersion('edge', result.publish!.version)
    ).files['shop.conf'];
    expect(published).toContain(`server 127.0.0.1:${stable2.port};`);
    expect(published).not.toContain(`127.0.0.1:${stable.port}`);
    expect(published).not.toContain('draft.example.com');
    const [latest] = await service.listVersions('edge');
    expect(latest.message).toBe('upstream members of shop (stable) edited');
    // the draft keeps ops' change and gets the new members
    const draft = await service.getDomain('edge', 'shop');
    expect(draft.serverNames).toEqual(['draft.example.com']);
    expect(draft.upstreams[0].members).toEqual([
      { address: '127.0.0.1', port: stable2.port },
    ]);

    await expect(
      service.updateMembers(
        'edge',
        'shop',
        {
          version: (await service.getDomainView('edge', 'shop')).version,
          upstreams: [{ name: 'nope', members: [] }],
        },
        'user:default/alice',
      ),
    ).rejects.toThrow("domain 'shop' has no upstream named 'nope'");
    await expect(
      service.updateMembers(
        'edge',
        'shop',
        {
          version: (await service.getDomainView('edge', 'shop')).version,
          upstreams: [{ name: 'stable', members: [] }],
        },
        'user:default/alice',
      ),
    ).rejects.toThrow(
      'upstreams.0.members: an upstream needs a static member or a Kubernetes Service',
    );
    await service.saveDomain(domain, CAROL);
    await service.publish('edge', 'back to the test domain', CAROL);
  });

  it('publishes nothing when nginx -t fails, and says where', async () => {
    const versionsBefore = await service.listVersions('edge');
    const fileBefore = await readFile(join(nginx.confDir, 'shop.conf'), 'utf8');
    await service.saveDomain(
      {
        ...domain,
        locations: [
          { path: '/', upstream: 'stable' },
          { path: '/', upstream: 'canary' },
        ],
      },
      CAROL,
    );
    const attempt = service.publish('edge', 'broken', CAROL);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      /^nginx -t failed for domain 'shop' at locations\[1\]: \[emerg\] duplicate location "\/" in conf\.d\/shop\.conf:\d+$/,
    );
    expect(await service.listVersions('edge')).toEqual(versionsBefore);
    expect(await readFile(join(nginx.confDir, 'shop.conf'), 'utf8')).toBe(
      fileBefore,
    );
    await service.saveDomain(domain, CAROL);
  });

  it('reports a node whose reload fails after its retries; the others keep the new version', async () => {
    await service.saveDomain({ ...domain, cluster: 'broken' }, CAROL);
    const result = await service.publish('broken', 'x', CAROL);
    expect(result.ok).toBe(false);
    expect(result.delivery).toEqual([
      { node: 'good', ok: true, message: 'written and reloaded' },
      {
        node: 'bad',
        ok: false,
        attempts: 2,
        message: expect.stringMatching(/^reload failed: .*exit 1/),
      },
    ]);
    expect(
      await readFile(join(nginx.prefix, 'good.d', 'shop.conf'), 'utf8'),
    ).toBe(
      (await service.getVersion('broken', result.version)).files['shop.conf'],
    );
    const [version] = await service.listVersions('broken');
    expect(version.delivery).toEqual(result.delivery);
    const clusters = await service.listClusters();
    expect(clusters.find(c => c.name === 'broken')).toMatchObject({
      currentVersion: result.version,
      nodes: [
        { name: 'good', lastDelivery: { ok: true } },
        { name: 'bad', lastDelivery: { ok: false } },
      ],
    });
  });
});
