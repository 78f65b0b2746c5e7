import { mockServices } from '@backstage/backend-test-utils';
import { shopDomain } from '../__testUtils__/domains';
import type { Domain } from '@internal/plugin-container-cloud-common';
import { EndpointBatcher, ENDPOINT_SYNC_ACTOR } from './EndpointBatcher';
import type { NginxService } from './NginxService';

const source = (service: string) => ({
  cluster: 'local-a',
  namespace: 'shop',
  service,
  port: 8080,
});

/** The part of NginxService the batcher uses: what is published, and each republish asked for. */
function publishedNginx(domains: Record<string, Domain[]>) {
  const republished: Array<{ cluster: string; message: string; by: string }> =
    [];
  const nginx = {
    clusterNames: Object.keys(domains),
    async latestVersion(cluster: string) {
      return { domains: domains[cluster] };
    },
    async republish(cluster: string, message: string, by: string) {
      republished.push({ cluster, message, by });
      return { version: republished.length, ok: true, delivery: [] };
    },
  };
  return { nginx: nginx as unknown as NginxService, republished };
}

describe('EndpointBatcher', () => {
  const domainUsing = (...services: string[]) =>
    shopDomain({
      upstreams: [
        { name: 'stable', members: [], kubernetes: services.map(source) },
        { name: 'canary', members: [{ address: '127.0.0.1', port: 1 }] },
      ],
    });

  it('publishes each affected cluster once per window, naming what changed', async () => {
    const { nginx, republished } = publishedNginx({
      edge: [domainUsing('api', 'web')],
      other: [domainUsing('admin')],
      idle: [],
    });
    const watched: string[] = [];
    const batcher = new EndpointBatcher(
      nginx,
      { watch: async cluster => void watched.push(cluster) },
      mockServices.logger.mock(),
      50,
    );
    await batcher.refresh();
    expect(watched).toEqual(['local-a', 'local-a']);

    for (let i = 0; i < 5; i++) {
      batcher.changed('local-a', 'shop', 'web');
      batcher.changed('local-a', 'shop', 'api');
    }
    // not used by any published domain: no publish for it
    batcher.changed('local-a', 'shop', 'unused');
    batcher.changed('local-b', 'shop', 'api');
    await batcher.idle();

    expect(republished).toEqual([
      {
        cluster: 'edge',
        message: 'endpoints changed: local-a/shop/api, local-a/shop/web',
        by: ENDPOINT_SYNC_ACTOR,
      },
    ]);

    batcher.changed('local-a', 'shop', 'admin');
    await batcher.idle();
    expect(republished.map(r => r.cluster)).toEqual(['edge', 'other']);
    await batcher.stop();
    batcher.changed('local-a', 'shop', 'admin');
    await batcher.idle();
    expect(republished).toHaveLength(2);
  });
});
