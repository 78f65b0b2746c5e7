import { shopDomain } from './domains';

/** A domain whose stable upstream follows a Kubernetes Service, with one field of it replaced. */
function withSource(source: object) {
  return shopDomain({
    upstreams: [
      {
        name: 'stable',
        members: [],
        kubernetes: [
          {
            cluster: 'local-a',
            namespace: 'shop',
            service: 'shop-api',
            port: 8080,
            ...source,
          },
        ],
      } as any,
      { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
    ],
  });
}

/** Where in a domain a value goes, and how to put it there. */
export const FIELDS: Record<string, (value: any) => object> = {
  owner: v => shopDomain({ owner: v }),
  kubernetesCluster: v => withSource({ cluster: v }),
  kubernetesNamespace: v => withSource({ namespace: v }),
  kubernetesService: v => withSource({ service: v }),
  kubernetesPortName: v => withSource({ port: v }),
  name: v => shopDomain({ name: v }),
  cluster: v => shopDomain({ cluster: v }),
  serverName: v => shopDomain({ serverNames: [v] }),
  listenAddress: v => shopDomain({ listen: [{ address: v, port: 80 }] }),
  listenPort: v => shopDomain({ listen: [{ port: v }] }),
  memberAddress: v =>
    shopDomain({
      upstreams: [
        { name: 'stable', members: [{ address: v, port: 80 }] },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  memberPort: v =>
    shopDomain({
      upstreams: [
        { name: 'stable', members: [{ address: '10.0.0.1', port: v }] },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  memberWeight: v =>
    shopDomain({
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '10.0.0.1', port: 80, weight: v }],
        },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  memberMaxFails: v =>
    shopDomain({
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '10.0.0.1', port: 80, maxFails: v }],
        },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  memberFailTimeout: v =>
    shopDomain({
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '10.0.0.1', port: 80, failTimeoutSeconds: v }],
        },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  memberBackup: v =>
    shopDomain({
      upstreams: [
        {
          name: 'stable',
          members: [{ address: '10.0.0.1', port: 80, backup: v }],
        },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 81 }] },
      ],
    }),
  upstreamName: v =>
    shopDomain({
      upstreams: [
        { name: v, members: [{ address: '10.0.0.1', port: 80 }] },
        { name: 'stable', members: [{ address: '10.0.0.1', port: 80 }] },
        { name: 'canary', members: [{ address: '10.0.0.1', port: 80 }] },
      ],
    }),
  locationPath: v =>
    shopDomain({ locations: [{ path: v, upstream: 'stable' }] }),
  locationUpstream: v =>
    shopDomain({ locations: [{ path: '/', upstream: v }] }),
  canaryPercent: v =>
    shopDomain({
      grayRelease: { stable: 'stable', canary: 'canary', canaryPercent: v },
    }),
  headerName: v =>
    shopDomain({
      grayRelease: {
        stable: 'stable',
        canary: 'canary',
        canaryPercent: 5,
        header: { name: v, value: 'x' },
      },
    }),
  headerValue: v =>
    shopDomain({
      grayRelease: {
        stable: 'stable',
        canary: 'canary',
        canaryPercent: 5,
        header: { name: 'X-Canary', value: v },
      },
    }),
  cookieName: v =>
    shopDomain({
      grayRelease: {
        stable: 'stable',
        canary: 'canary',
        canaryPercent: 5,
        cookie: { name: v, value: 'x' },
      },
    }),
  cookieValue: v =>
    shopDomain({
      grayRelease: {
        stable: 'stable',
        canary: 'canary',
        canaryPercent: 5,
        cookie: { name: 'c', value: v },
      },
    }),
  kubernetesPort: v => withSource({ port: v }),
  kubernetesWeight: v => withSource({ weight: v }),
};

export const STRING_FIELDS = Object.keys(FIELDS).filter(
  f =>
    ![
      'listenPort',
      'memberPort',
      'memberWeight',
      'memberMaxFails',
      'memberFailTimeout',
      'memberBackup',
      'canaryPercent',
      'kubernetesPort',
      'kubernetesWeight',
    ].includes(f),
);

// each is a distinct marker so "never rendered" can be checked by substring
export const MALICIOUS_STRINGS = [
  'evil; include /etc/passwd',
  'evil}server{listen 81',
  'evil{',
  'evil\nload_module /tmp/x.so',
  'evil\r\nreturn 200',
  '$host',
  'evil$remote_addr',
  'include /etc/nginx/secrets.conf',
  'load_module /tmp/evil.so',
  'include*.conf',
  'evil"quoted',
  "evil'quoted",
  'evil#comment',
  'evil\\escaped',
  'evil with spaces',
  'evil\u0000nul',
  'ex\u0430mple.com', // Cyrillic a
  'ｅｖｉｌ.com', // fullwidth
  'evil\u200b.com', // zero-width space
  `${'a'.repeat(300)}`,
  `/${'a'.repeat(300)}`,
  '*.*.evil.com',
  '',
];

export const MALICIOUS_NUMBERS = [
  -1,
  65536,
  1.5,
  NaN,
  1e9,
  '80; include x',
  '80',
];
// fields where 0 is meaningful (no failure limit, no canary traffic)
export const ZERO_ALLOWED = ['memberMaxFails', 'canaryPercent'];

/** Every field with every value it must refuse: [field, value]. */
export function maliciousCases(): Array<[string, unknown]> {
  const cases: Array<[string, unknown]> = [];
  for (const field of STRING_FIELDS) {
    for (const value of MALICIOUS_STRINGS) cases.push([field, value]);
    // a port is a number or a name: 42 is a fine port
    if (field !== 'kubernetesPortName') cases.push([field, 42]);
  }
  for (const field of Object.keys(FIELDS).filter(
    f => !STRING_FIELDS.includes(f),
  )) {
    for (const value of MALICIOUS_NUMBERS) cases.push([field, value]);
    if (!ZERO_ALLOWED.includes(field)) cases.push([field, 0]);
  }
  return cases;
}
