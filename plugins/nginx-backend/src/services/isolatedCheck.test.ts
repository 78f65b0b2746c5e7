import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { InputError } from '@backstage/errors';
import type { Domain } from '@internal/plugin-container-cloud-common';
import { parseDomain, shopDomain } from '../__testUtils__/domains';
import { FIELDS, maliciousCases } from '../__testUtils__/malicious';
import { renderDomain } from '../render';
import { NginxStore } from '../database/NginxStore';
import { NginxService } from './NginxService';
import { NginxValidator } from './NginxValidator';

jest.setTimeout(600_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3', 'POSTGRES_15'],
  disableDocker: true,
});

/**
 * The isolated check of an edit (one domain's file alone + the backend's name check) against the
 * full check (every domain of the cluster in one `nginx -t`), on the same inputs through the real
 * nginx: whatever the full check refuses, the isolated one refuses too.
 */
const validator = new NginxValidator('/usr/sbin/nginx');
const config = {
  binary: '/usr/sbin/nginx',
  clusters: [
    {
      name: 'edge',
      environment: 'test',
      nodes: [],
      deliveryRetries: 0,
      reloadTimeoutSeconds: 30,
    },
  ],
};
// the isolated check reads no store: the others are given
const service = new NginxService(config, {} as any);

/** Another domain of the cluster, on its own names and port. */
const web = (overrides: Partial<Domain> = {}): Domain =>
  shopDomain({
    name: 'web',
    serverNames: ['web.example.com'],
    listen: [{ address: '127.0.0.1', port: 18081 }],
    ...overrides,
  });

/** The full check: render the cluster with the edit and run nginx -t over all of it. */
async function fullRefuses(edited: Domain, others: Domain[]) {
  const files: Record<string, string> = {};
  try {
    // files named by position, so that nginx parses even a name the file writer would refuse
    [...others.filter(d => d.name !== edited.name), edited].forEach(
      (domain, i) => {
        files[`file-${i}.conf`] = renderDomain(domain).text;
      },
    );
  } catch {
    return true;
  }
  return !(await validator.check(files)).ok;
}

async function isolatedRefuses(edited: Domain, others: Domain[]) {
  try {
    await service.checkInIsolation(edited, others);
    return false;
  } catch {
    return true;
  }
}

describe('checking one edit in isolation', () => {
  it('refuses a domain nginx -t refuses, with the message the full check gives', async () => {
    // the existing nginx -t case: two locations with one path
    const broken = parseDomain(
      shopDomain({
        locations: [
          { path: '/', upstream: 'stable' },
          { path: '/', upstream: 'canary' },
        ],
      }),
    );
    expect(await fullRefuses(broken, [web()])).toBe(true);
    const attempt = service.checkInIsolation(broken, [web()]);
    await expect(attempt).rejects.toThrow(InputError);
    await expect(attempt).rejects.toThrow(
      /^nginx -t failed for domain 'shop' at locations\[1\]: \[emerg\] duplicate location "\/" in conf\.d\/shop\.conf:\d+$/,
    );
  });

  it('accepts a good edit among other domains, and a domain replacing its own older self', async () => {
    const shop = parseDomain(shopDomain());
    await expect(
      service.checkInIsolation(shop, [web(), shopDomain({ name: 'shop' })]),
    ).resolves.toBeUndefined();
    expect(await fullRefuses(shop, [web()])).toBe(false);
  });

  it('refuses every malicious value the full check refuses (schema bypassed)', async () => {
    let fullRefused = 0;
    const missed: string[] = [];
    for (const [field, value] of maliciousCases()) {
      // what a caller that skipped the schema would hand over
      const edited = FIELDS[field](value) as Domain;
      if (!(await fullRefuses(edited, [web()]))) continue;
      fullRefused++;
      if (!(await isolatedRefuses(edited, [web()]))) {
        missed.push(`${field} = ${JSON.stringify(value)}`);
      }
    }
    expect(missed).toEqual([]);
    // the comparison is not empty: most of these never get past the renderer or nginx
    expect(fullRefused).toBeGreaterThan(200);
  });

  it('refuses names another domain already defines, which the full check refuses', async () => {
    // not possible through the schema (names have no '_' and no capitals); the name check
    // does not rely on that
    const cases: Array<[string, Domain, Domain]> = [
      [
        'one upstream name from two domains',
        shopDomain({
          name: 'x',
          upstreams: [
            { name: 'y__z', members: [{ address: '10.0.0.1', port: 80 }] },
            { name: 'stable', members: [{ address: '10.0.0.1', port: 80 }] },
            { name: 'canary', members: [{ address: '10.0.0.1', port: 80 }] },
          ],
          serverNames: ['x.example.com'],
        }),
        web({
          name: 'x__y',
          upstreams: [
            { name: 'z', members: [{ address: '10.0.0.1', port: 80 }] },
            { name: 'stable', members: [{ address: '10.0.0.1', port: 80 }] },
            { name: 'canary', members: [{ address: '10.0.0.1', port: 80 }] },
          ],
        }),
      ],
      [
        'upstream names that differ in case only',
        shopDomain({ name: 'Web', serverNames: ['other.example.com'] }),
        web(),
      ],
    ];
    for (const [what, edited, other] of cases) {
      expect([what, await fullRefuses(edited, [other])]).toEqual([what, true]);
      await expect(service.checkInIsolation(edited, [other])).rejects.toThrow(
        /collides with other domains of nginx cluster 'edge': upstreams\[\d\]\.name: upstream '.*' is already used by domain/,
      );
    }
  });

  it('refuses a server name another domain serves on the same address, which nginx only warns about', async () => {
    const taken = parseDomain(
      shopDomain({ serverNames: ['WEB.example.com'.toLowerCase()] }),
    );
    const onWeb = { ...taken, listen: [{ address: '127.0.0.1', port: 18081 }] };
    // nginx: "conflicting server name ... ignored" and exit 0: the second one silently loses
    expect(await fullRefuses(onWeb, [web()])).toBe(false);
    await expect(service.checkInIsolation(onWeb, [web()])).rejects.toThrow(
      "domain 'shop' collides with other domains of nginx cluster 'edge': serverNames[0] / listen[0]: server name 'web.example.com' on 127.0.0.1:18081 is already used by domain 'web'",
    );
    // `listen 18081` is 0.0.0.0:18081, another address than 127.0.0.1:18081
    const wildcard = { ...taken, listen: [{ port: 18081 }] };
    await expect(
      service.checkInIsolation(wildcard, [web()]),
    ).resolves.toBeUndefined();
    await expect(
      service.checkInIsolation(wildcard, [web({ listen: [{ port: 18081 }] })]),
    ).rejects.toThrow(/on 0\.0\.0\.0:18081 is already used by domain 'web'/);
  });

  it.each(databases.eachSupportedId())(
    'validates an edit against the saved domains of its cluster, saving nothing (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const store = await NginxStore.create(mockServices.database({ knex }));
      const stored = new NginxService(config, store);
      await store.saveDomain(parseDomain(web()), 'user:default/carol');
      const taken = parseDomain(
        shopDomain({
          serverNames: ['web.example.com'],
          listen: [{ address: '127.0.0.1', port: 18081 }],
        }),
      );
      await expect(stored.validateDomain(taken)).rejects.toThrow(
        "serverNames[0] / listen[0]: server name 'web.example.com' on 127.0.0.1:18081 is already used by domain 'web'",
      );
      // the saved domain itself, edited: compared with the others only
      await expect(
        stored.validateDomain(
          parseDomain(web({ serverNames: ['w.example.com'] })),
        ),
      ).resolves.toBeUndefined();
      await expect(
        stored.validateDomain(parseDomain(shopDomain({ cluster: 'nope' }))),
      ).rejects.toThrow("no nginx cluster named 'nope'");
      expect((await store.listDomains('edge')).map(d => d.name)).toEqual([
        'web',
      ]);
    },
  );
});
