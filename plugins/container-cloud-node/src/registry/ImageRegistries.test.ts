import { compareTagsNewestFirst, parseImageName } from './ImageRegistries';

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
