import type { Domain, DomainView, NginxApi } from '../api/NginxClient';

export const shopDomain: Domain = {
  name: 'shop',
  cluster: 'edge',
  owner: 'component:default/shop',
  serverNames: ['shop.example.com'],
  listen: [{ port: 80 }],
  upstreams: [
    {
      name: 'stable',
      members: [{ address: '10.0.0.1', port: 8080, weight: 5 }],
      kubernetes: [
        {
          cluster: 'local-a',
          namespace: 'shop',
          service: 'shop-api',
          port: 'http',
        },
      ],
    },
    { name: 'canary', members: [{ address: '10.0.0.2', port: 8080 }] },
  ],
  locations: [{ path: '/', upstream: 'stable' }],
  grayRelease: { stable: 'stable', canary: 'canary', canaryPercent: 10 },
};

/** The shop domain as the backend answers it: with its saved version. */
export const shopDomainView: DomainView = { ...shopDomain, version: 4 };

/** An NginxApi whose every method is a jest mock; override what a test needs. */
export function fakeNginxApi(
  overrides: Partial<NginxApi> = {},
): jest.Mocked<NginxApi> {
  return {
    listClusters: jest.fn().mockResolvedValue([
      {
        name: 'edge',
        environment: 'production',
        currentVersion: 2,
        nodes: [
          {
            name: 'edge-1',
            confDir: '/etc/nginx/conf.d',
            lastDelivery: {
              node: 'edge-1',
              ok: true,
              message: 'written and reloaded',
            },
          },
          {
            name: 'edge-2',
            confDir: '/etc/nginx/conf.d',
            lastDelivery: {
              node: 'edge-2',
              ok: false,
              message: 'reload failed: exit 1',
            },
          },
        ],
      },
    ]),
    listDomains: jest.fn().mockResolvedValue([shopDomainView]),
    saveDomain: jest.fn(async (domain, version) => ({
      domain: { ...domain, version: version + 1 },
      text: '',
    })),
    domainsOfEntity: jest.fn().mockResolvedValue([shopDomainView]),
    updateMembers: jest.fn(async () => ({
      domain: { ...shopDomainView, version: 5 },
      publish: { version: 3, ok: true, delivery: [] },
    })),
    listVersions: jest.fn().mockResolvedValue([
      {
        id: 2,
        cluster: 'edge',
        createdBy: 'user:default/carol',
        createdAt: '2026-11-23T10:00:00Z',
        message: 'canary 10%',
        delivery: [{ node: 'edge-1', ok: true, message: 'ok' }],
      },
      {
        id: 1,
        cluster: 'edge',
        createdBy: 'user:default/carol',
        createdAt: '2026-11-23T09:00:00Z',
        message: 'first',
      },
    ]),
    getVersion: jest.fn(),
    diff: jest.fn().mockResolvedValue({
      files: [
        {
          file: 'shop.conf',
          lines: [
            { op: ' ', text: 'split_clients $request_id $cc_shop_split {' },
            { op: '-', text: '    5% shop__canary;' },
            { op: '+', text: '    10% shop__canary;' },
          ],
        },
      ],
    }),
    publish: jest
      .fn()
      .mockResolvedValue({ version: 3, ok: true, delivery: [] }),
    rollback: jest
      .fn()
      .mockResolvedValue({ version: 3, ok: true, delivery: [] }),
    ...overrides,
  } as jest.Mocked<NginxApi>;
}
