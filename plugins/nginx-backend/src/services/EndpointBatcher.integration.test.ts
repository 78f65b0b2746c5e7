import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type {
  Domain,
  KubernetesSource,
} from '@internal/plugin-container-cloud-common';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { NginxStore } from '../database/NginxStore';
import { shopDomain } from '../__testUtils__/domains';
import { freePort, startScratchNginx } from '../__testUtils__/scratchNginx';
import { EndpointBatcher } from './EndpointBatcher';
import { EndpointSource, NginxService } from './NginxService';
import { NginxValidator } from './NginxValidator';

jest.setTimeout(120_000);

const databases = TestDatabases.create({
  ids: ['SQLITE_3'],
  disableDocker: true,
});

const DOMAINS = 40;

/** Endpoints held in memory: what the EndpointSlice watch would report, one pod per Service. */
class MemoryEndpoints implements EndpointSource {
  generation = 1;
  check() {}
  async lookup() {
    return (source: KubernetesSource) => [
      {
        address: `10.8.${this.generation}.${Number(source.service.slice(4))}`,
        port: 8080,
      },
    ];
  }
}

describe('EndpointBatcher with a real nginx', () => {
  it('turns endpoint changes of many domains in one window into one publish, one nginx -t and one reload', async () => {
    const nginx = await startScratchNginx();
    const reloads = join(nginx.prefix, 'reloads.log');
    await writeFile(reloads, '');
    const knex = await databases.init('SQLITE_3');
    const store = await NginxStore.create(mockServices.database({ knex }));
    const endpoints = new MemoryEndpoints();
    const port = await freePort();
    const service = new NginxService(
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
                // counts each reload, then reloads the scratch nginx for real
                reloadCommand: [
                  '/bin/sh',
                  '-c',
                  `echo reload >> "$0" && exec "$@"`,
                  reloads,
                  ...nginx.reloadCommand,
                ],
              },
            ],
            deliveryRetries: 0,
            reloadTimeoutSeconds: 30,
          },
        ],
      },
      store,
      endpoints,
    );
    const domains: Domain[] = Array.from({ length: DOMAINS }, (_, i) =>
      shopDomain({
        name: `shop-${i}`,
        serverNames: [`shop-${i}.example.com`],
        listen: [{ address: '127.0.0.1', port }],
        upstreams: [
          {
            name: 'stable',
            members: [],
            kubernetes: [
              {
                cluster: 'local-a',
                namespace: 'shop',
                service: `api-${i}`,
                port: 8080,
              },
            ],
          },
          { name: 'canary', members: [{ address: '127.0.0.1', port: 9 }] },
        ],
      }),
    );
    try {
      await store.replaceDomains('edge', domains, 'user:default/carol');
      const first = await service.publish(
        'edge',
        'initial',
        'user:default/carol',
      );
      expect(first.ok).toBe(true);
      const batches: number[] = [];
      const batcher = new EndpointBatcher(
        service,
        { watch: async () => undefined },
        mockServices.logger.mock(),
        // long enough that every change below lands in one window
        1000,
        (_cluster, result) => batches.push(result?.version ?? -1),
      );
      await batcher.refresh();
      const checks = jest.spyOn(NginxValidator.prototype, 'check');
      const reloadsBefore = (await readFile(reloads, 'utf8')).split(
        '\n',
      ).length;

      endpoints.generation = 2;
      for (let i = 0; i < DOMAINS; i++) {
        batcher.changed('local-a', 'shop', `api-${i}`);
      }
      await batcher.idle();

      // one version for all of them, checked once and reloaded once
      expect(batches).toEqual([first.version + 1]);
      expect(checks).toHaveBeenCalledTimes(1);
      expect((await readFile(reloads, 'utf8')).split('\n').length).toBe(
        reloadsBefore + 1,
      );
      const version = (await service.latestVersion('edge'))!;
      expect(version.message).toBe(
        `endpoints changed: ${Array.from(
          { length: DOMAINS },
          (_, i) => `local-a/shop/api-${i}`,
        )
          .sort()
          .slice(0, 10)
          .join(', ')} and ${DOMAINS - 10} more`,
      );
      // every domain's file now holds its new pod, on the node too
      for (let i = 0; i < DOMAINS; i++) {
        const text = await readFile(
          join(nginx.confDir, `shop-${i}.conf`),
          'utf8',
        );
        expect(text).toContain(`    server 10.8.2.${i}:8080;\n`);
        expect(text).not.toContain('10.8.1.');
      }
      checks.mockRestore();
      await batcher.stop();
    } finally {
      await nginx.stop();
    }
  });
});
