import { Domain, domainSchema } from '@internal/plugin-container-cloud-common';
import { parseInput } from '@internal/plugin-container-cloud-node';

/** A domain as the routes parse it: a 400 ("invalid domain: ...") when it is not one. */
export function parseDomain(input: unknown): Domain {
  return parseInput(domainSchema, input, 'domain');
}

/** A domain with two upstreams and a gray release: the shape most tests start from. */
export function shopDomain(overrides: Partial<Domain> = {}): Domain {
  return {
    name: 'shop',
    cluster: 'edge',
    serverNames: ['shop.example.com', '*.shop.example.com'],
    listen: [{ address: '127.0.0.1', port: 18080 }],
    upstreams: [
      {
        name: 'stable',
        members: [
          {
            address: '127.0.0.1',
            port: 9001,
            weight: 5,
            maxFails: 3,
            failTimeoutSeconds: 10,
          },
          { address: '127.0.0.1', port: 9003, backup: true },
        ],
      },
      { name: 'canary', members: [{ address: '127.0.0.1', port: 9002 }] },
    ],
    locations: [
      { path: '/', upstream: 'stable' },
      { path: '/static/', upstream: 'canary' },
    ],
    grayRelease: {
      stable: 'stable',
      canary: 'canary',
      canaryPercent: 20,
      header: { name: 'X-Canary', value: 'always' },
      cookie: { name: 'canary', value: 'yes' },
    },
    ...overrides,
  };
}
