import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NginxStore } from '../database/NginxStore';
import type { Endpoint } from '../render';
import { EndpointSource, NginxService } from './NginxService';

jest.setTimeout(60_000);

// Two backend replicas on one PostgreSQL both follow the same Kubernetes endpoints, so both
// republish an nginx cluster when a pod comes or goes. The publish lock in the database makes the
// second one read the version the first recorded: one version, one delivery, not two.
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

/** The endpoints both replicas' watches see: the test changes them for both at once. */
function sharedEndpoints() {
  let ready: Endpoint[] = [{ address: '10.1.0.1', port: 8080 }];
  const source: EndpointSource = {
    check() {},
    async lookup() {
      return () => ready;
    },
  };
  return {
    source,
    set(endpoints: Endpoint[]) {
      ready = endpoints;
    },
  };
}

describe('publishing from two backend replicas on one database', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'makes one version of one endpoint change that both replicas saw (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const confDir = await mkdtemp(join(tmpdir(), 'nginx-replicas-'));
      try {
        const endpoints = sharedEndpoints();
        const replica = async () =>
          new NginxService(
            {
              binary: '/usr/sbin/nginx',
              clusters: [
                {
                  name: 'edge',
                  environment: 'test',
                  nodes: [
                    { name: 'edge-1', confDir, reloadCommand: ['/bin/true'] },
                  ],
                  deliveryRetries: 0,
                  reloadTimeoutSeconds: 30,
                },
              ],
            },
            await NginxStore.create(mockServices.database({ knex })),
            endpoints.source,
          );
        const a = await replica();
        const b = await replica();
        await a.saveDomain(
          {
            name: 'shop',
            cluster: 'edge',
            serverNames: ['shop.example.com'],
            listen: [{ address: '127.0.0.1', port: 18080 }],
            upstreams: [
              {
                name: 'app',
                members: [],
                kubernetes: [
                  {
                    cluster: 'local-a',
                    namespace: 'shop',
                    service: 'shop',
                    port: 8080,
                  },
                ],
              },
            ],
            locations: [{ path: '/', upstream: 'app' }],
          },
          'user:default/carol',
        );
        await a.publish('edge', 'first', 'user:default/carol');
        const before = await a.listVersions('edge');

        endpoints.set([
          { address: '10.1.0.1', port: 8080 },
          { address: '10.1.0.2', port: 8080 },
        ]);
        const results = await Promise.all([
          a.republish(
            'edge',
            'endpoints changed',
            'plugin:nginx/endpoint-sync',
          ),
          b.republish(
            'edge',
            'endpoints changed',
            'plugin:nginx/endpoint-sync',
          ),
        ]);

        expect(results.filter(r => r !== undefined)).toHaveLength(1);
        const after = await b.listVersions('edge');
        expect(after).toHaveLength(before.length + 1);
        const latest = await b.getVersion('edge', after[0].id);
        expect(Object.values(latest.files).join('\n')).toContain(
          'server 10.1.0.2:8080',
        );
      } finally {
        await rm(confDir, { recursive: true, force: true });
      }
    },
  );
});
