import http from 'node:http';
import { AddressInfo } from 'node:net';
import {
  compareTagsNewestFirst,
  ImageRegistries,
  parseImageName,
} from './ImageRegistries';

describe('parseImageName', () => {
  it.each([
    [
      'registry.example.com/payments/payments-api:1.0.0',
      {
        host: 'registry.example.com',
        repository: 'payments/payments-api',
        tag: '1.0.0',
      },
    ],
    ['localhost:5000/app', { host: 'localhost:5000', repository: 'app' }],
    [
      'nginx:1.27',
      { host: 'docker.io', repository: 'library/nginx', tag: '1.27' },
    ],
    ['bitnami/redis', { host: 'docker.io', repository: 'bitnami/redis' }],
    [
      `ghcr.io/org/tool@sha256:${'a'.repeat(64)}`,
      {
        host: 'ghcr.io',
        repository: 'org/tool',
        digest: `sha256:${'a'.repeat(64)}`,
      },
    ],
  ])('reads %s as runtimes do', (image, expected) => {
    expect(parseImageName(image)).toEqual(expect.objectContaining(expected));
  });
});

describe('compareTagsNewestFirst', () => {
  it('puts versions newest first, numerically, releases before their pre-releases, then other tags', () => {
    expect(
      [
        'latest',
        '1.2.0-rc1',
        '1.10.0',
        'v2.0',
        '1.2.0',
        '1.9.3',
        'stable',
      ].sort(compareTagsNewestFirst),
    ).toEqual([
      'v2.0',
      '1.10.0',
      '1.9.3',
      '1.2.0',
      '1.2.0-rc1',
      'stable',
      'latest',
    ]);
  });
});

/** A Registry API v2 test server: `page(n, url)` answers its n-th request (from 0). */
async function registryServer(
  page: (
    n: number,
    url: URL,
    base: string,
  ) => { tags: string[]; link?: string },
) {
  const requests: Array<{ url: string; authorization?: string }> = [];
  let base = '';
  const server = http.createServer((req, res) => {
    const url = new URL(req.url!, 'http://x');
    requests.push({
      url: req.url!,
      authorization: req.headers.authorization,
    });
    const answer = page(requests.length - 1, url, base);
    if (answer.link) res.setHeader('Link', `<${answer.link}>; rel="next"`);
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ name: 'payments/api', tags: answer.tags }));
  });
  await new Promise<void>(resolve => server.listen(0, '127.0.0.1', resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    requests,
    close: () => new Promise(resolve => server.close(resolve)),
  };
}

describe('ImageRegistries.tags against a hostile registry', () => {
  const servers: Array<{ close(): Promise<unknown> }> = [];
  afterAll(() => Promise.all(servers.map(s => s.close())));

  const registries = (url: string, maxPages?: number) =>
    new ImageRegistries(
      [
        {
          host: 'registry.example.com',
          url,
          auth: { type: 'bearer', token: 'registry-secret' },
        },
      ],
      { maxPages },
    );

  it('follows Link pages on its own origin, with its credentials', async () => {
    const pages = (base: string) => [
      { tags: ['1.0.0'], link: '/v2/payments/api/tags/list?n=1&last=1.0.0' },
      { tags: ['1.1.0'], link: `${base}/v2/payments/api/tags/list?last=1.1.0` },
      { tags: ['1.2.0'] },
    ];
    const registry = await registryServer((n, _url, base) => pages(base)[n]);
    servers.push(registry);
    await expect(
      registries(registry.base).tags('registry.example.com/payments/api:1.0.0'),
    ).resolves.toEqual({
      host: 'registry.example.com',
      repository: 'payments/api',
      tags: ['1.2.0', '1.1.0', '1.0.0'],
      truncated: false,
    });
    expect(registry.requests.map(r => r.authorization)).toEqual([
      'Bearer registry-secret',
      'Bearer registry-secret',
      'Bearer registry-secret',
    ]);
  });

  it('does not follow a Link to another origin: the credentials stay home, the list is truncated', async () => {
    const attacker = await registryServer(() => ({ tags: ['evil'] }));
    servers.push(attacker);
    const registry = await registryServer(() => ({
      tags: ['1.0.0'],
      link: `${attacker.base}/v2/payments/api/tags/list?last=1.0.0`,
    }));
    servers.push(registry);
    await expect(
      registries(registry.base).tags('registry.example.com/payments/api:1.0.0'),
    ).resolves.toEqual(
      expect.objectContaining({ tags: ['1.0.0'], truncated: true }),
    );
    expect(attacker.requests).toEqual([]);
  });

  it('stops after maxPages pages of a registry whose pages never end', async () => {
    const registry = await registryServer(n => ({
      tags: [],
      link: `/v2/payments/api/tags/list?page=${n + 1}`,
    }));
    servers.push(registry);
    await expect(
      registries(registry.base, 5).tags('registry.example.com/payments/api'),
    ).resolves.toEqual(expect.objectContaining({ tags: [], truncated: true }));
    expect(registry.requests).toHaveLength(5);
    // and by default too
    registry.requests.length = 0;
    await registries(registry.base).tags('registry.example.com/payments/api');
    expect(registry.requests).toHaveLength(20);
  });
});
