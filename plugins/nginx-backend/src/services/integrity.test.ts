import { mockServices, TestDatabases } from '@backstage/backend-test-utils';
import type { Domain } from '@internal/plugin-container-cloud-common';
import type { Knex } from 'knex';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NginxStore } from '../database/NginxStore';
import type { Endpoint } from '../render';
import {
  freePort,
  startNamedBackend,
  startScratchNginx,
  waitFor,
} from '../__testUtils__/scratchNginx';
import { deliver } from './Delivery';
import { resumeDeliveries } from './deliveryResume';
import {
  DeliverFiles,
  DomainConflictError,
  EndpointSource,
  NginxService,
} from './NginxService';

jest.setTimeout(120_000);

// Two backend replicas are two NginxServices on one database: what they share is the database
// (the rows, the versions, PostgreSQL's publish lock), as two backend processes do.
const databases = TestDatabases.create({ ids: ['POSTGRES_15', 'SQLITE_3'] });
const CAROL = 'user:default/carol';
const ALICE = 'user:default/alice';
const logger = mockServices.logger.mock();

/** Kubernetes endpoints both replicas' watches see; the test moves the pods. */
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

function replica(
  knex: Knex,
  node: { confDir: string; reloadCommand: string[] },
  options: { deliver?: DeliverFiles; endpoints?: EndpointSource } = {},
) {
  return NginxStore.create(mockServices.database({ knex })).then(
    store =>
      new NginxService(
        {
          binary: '/usr/sbin/nginx',
          clusters: [
            {
              name: 'edge',
              environment: 'test',
              nodes: [{ name: 'edge-1', ...node }],
              deliveryRetries: 0,
              reloadTimeoutSeconds: 30,
            },
          ],
        },
        store,
        options.endpoints,
        { deliver: options.deliver },
      ),
  );
}

function staticDomain(name: string, port: number, memberPort: number): Domain {
  return {
    name,
    cluster: 'edge',
    serverNames: [`${name}.example.com`],
    listen: [{ address: '127.0.0.1', port }],
    upstreams: [
      { name: 'app', members: [{ address: '127.0.0.1', port: memberPort }] },
    ],
    locations: [{ path: '/', upstream: 'app' }],
  };
}

function kubernetesDomain(name: string, port: number): Domain {
  return {
    name,
    cluster: 'edge',
    serverNames: [`${name}.example.com`],
    listen: [{ address: '127.0.0.1', port }],
    upstreams: [
      {
        name: 'app',
        members: [],
        kubernetes: [
          { cluster: 'local-a', namespace: name, service: name, port: 8080 },
        ],
      },
    ],
    locations: [{ path: '/', upstream: 'app' }],
  };
}

/** Why a promise was rejected (it must be). */
async function rejection(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected a rejection');
}

describe('nginx integrity across replicas', () => {
  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  describe.each(databases.eachSupportedId())('on %p', databaseId => {
    let confDir: string;
    let knex: Knex;

    beforeEach(async () => {
      knex = await databases.init(databaseId);
      confDir = await mkdtemp(join(tmpdir(), 'nginx-integrity-'));
    });
    afterEach(async () => {
      await rm(confDir, { recursive: true, force: true });
    });

    const node = () => ({ confDir, reloadCommand: ['/bin/true'] });

    it('lets one of two concurrent saves of a domain win; the other gets 409 with the winner', async () => {
      const a = await replica(knex, node());
      const b = await replica(knex, node());
      const created = await a.saveDomain(
        staticDomain('shop', 18080, 9001),
        CAROL,
        0,
      );
      expect(created.domain.version).toBe(1);
      // creating it again from "nothing" loses to the first
      const again = await rejection(
        b.saveDomain(staticDomain('shop', 18080, 9009), CAROL, 0),
      );
      expect(again).toBeInstanceOf(DomainConflictError);
      expect((again as DomainConflictError).current).toMatchObject({
        version: 1,
        upstreams: [{ members: [{ port: 9001 }] }],
      });

      // two people edit version 1 at once, on two replicas
      const results = await Promise.allSettled([
        a.saveDomain(staticDomain('shop', 18080, 9002), CAROL, 1),
        b.saveDomain(staticDomain('shop', 18080, 9003), ALICE, 1),
      ]);
      const won = results.filter(r => r.status === 'fulfilled');
      const lost = results.filter(r => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<any>).value.domain;
      expect(winner.version).toBe(2);
      const error = (lost[0] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(DomainConflictError);
      expect(error.message).toContain(
        'you edited version 1, it is now version 2',
      );
      expect(error.current).toEqual(winner);
      // what is saved is the winner's, not a mix
      expect(await a.getDomainView('edge', 'shop')).toEqual(winner);
    });

    it('lets one of two concurrent member updates win and publish; the other changes nothing', async () => {
      const a = await replica(knex, node());
      const b = await replica(knex, node());
      await a.saveDomain(staticDomain('shop', 18080, 9001), CAROL, 0);
      await a.publish('edge', 'first', CAROL);
      const versionsBefore = (await a.listVersions('edge')).length;
      const change = (port: number) => ({
        version: 1,
        upstreams: [{ name: 'app', members: [{ address: '127.0.0.1', port }] }],
      });
      const results = await Promise.allSettled([
        a.updateMembers('edge', 'shop', change(9002), ALICE),
        b.updateMembers('edge', 'shop', change(9003), ALICE),
      ]);
      const won = results.filter(r => r.status === 'fulfilled');
      const lost = results.filter(r => r.status === 'rejected');
      expect(won).toHaveLength(1);
      expect(lost).toHaveLength(1);
      const winner = (won[0] as PromiseFulfilledResult<any>).value;
      const error = (lost[0] as PromiseRejectedResult).reason;
      expect(error).toBeInstanceOf(DomainConflictError);
      expect(error.current).toEqual(winner.domain);
      // one publish: the winner's members are live, the loser's nowhere
      const versions = await a.listVersions('edge');
      expect(versions).toHaveLength(versionsBefore + 1);
      const port = winner.domain.upstreams[0].members[0].port;
      const onDisk = await readFile(join(confDir, 'shop.conf'), 'utf8');
      expect(onDisk).toContain(`server 127.0.0.1:${port};`);
      expect(onDisk).not.toContain(`127.0.0.1:${port === 9002 ? 9003 : 9002}`);
    });

    it('delivers a version whose replica died before delivering it, once, when the other replica republishes', async () => {
      const nginx = await startScratchNginx();
      const [one, two, port] = await Promise.all([
        startNamedBackend('one'),
        startNamedBackend('two'),
        freePort(),
      ]);
      try {
        const target = {
          confDir: nginx.confDir,
          reloadCommand: nginx.reloadCommand,
        };
        const deliveries: string[] = [];
        const counting: DeliverFiles = async (cluster, files) => {
          deliveries.push(files['shop.conf']);
          return deliver(cluster, files);
        };
        // replica a stops right after recording its version, before any node got it
        const dying = await replica(knex, target, {
          deliver: async () => {
            throw new Error('replica stopped');
          },
        });
        const b = await replica(knex, target, { deliver: counting });
        await b.saveDomain(staticDomain('shop', port, one.port), CAROL, 0);
        await b.publish('edge', 'first', CAROL);
        await waitFor(`http://127.0.0.1:${port}/`, body => body === 'one');

        await dying.saveDomain(staticDomain('shop', port, two.port), CAROL, 1);
        await expect(dying.publish('edge', 'second', CAROL)).rejects.toThrow(
          'replica stopped',
        );
        const [pending] = await b.listVersions('edge');
        expect(pending.message).toBe('second');
        expect(pending.delivery).toBeUndefined();
        deliveries.length = 0;

        // b's endpoint sync republishes: the files are the same, but the version was never
        // delivered, so b delivers it
        await b.republish(
          'edge',
          'endpoints changed',
          'plugin:nginx/endpoint-sync',
        );
        await waitFor(`http://127.0.0.1:${port}/`, body => body === 'two');
        expect(deliveries).toHaveLength(1);
        expect(deliveries[0]).toContain(`server 127.0.0.1:${two.port};`);
        const [delivered] = await b.listVersions('edge');
        expect(delivered.id).toBe(pending.id);
        expect(delivered.delivery).toEqual([
          { node: 'edge-1', ok: true, message: 'written and reloaded' },
        ]);
        // exactly once: neither the scheduled task nor another publish delivers it again
        expect(await resumeDeliveries(b, logger)).toEqual([]);
        expect(await b.resumeDelivery('edge')).toBeUndefined();
        expect(deliveries).toHaveLength(1);
      } finally {
        await Promise.all([nginx.stop(), one.stop(), two.stop()]);
      }
    });

    it('has the scheduled task deliver a version left undelivered, exactly once', async () => {
      const nginx = await startScratchNginx();
      const [one, port] = await Promise.all([
        startNamedBackend('one'),
        freePort(),
      ]);
      try {
        const target = {
          confDir: nginx.confDir,
          reloadCommand: nginx.reloadCommand,
        };
        let delivered = 0;
        const dying = await replica(knex, target, {
          deliver: async () => {
            throw new Error('replica stopped');
          },
        });
        const b = await replica(knex, target, {
          deliver: async (cluster, files) => {
            delivered++;
            return deliver(cluster, files);
          },
        });
        await dying.saveDomain(staticDomain('shop', port, one.port), CAROL, 0);
        await expect(dying.publish('edge', 'first', CAROL)).rejects.toThrow(
          'replica stopped',
        );
        await expect(fetch(`http://127.0.0.1:${port}/`)).rejects.toThrow();

        // the scheduled task (coreServices.scheduler runs it on one replica per run)
        const [versionId] = await resumeDeliveries(b, logger);
        expect(versionId).toBe((await b.listVersions('edge'))[0].id);
        await waitFor(`http://127.0.0.1:${port}/`, body => body === 'one');
        expect(await resumeDeliveries(b, logger)).toEqual([]);
        expect(delivered).toBe(1);
        // a later publish builds on it normally
        const next = await b.publish('edge', 'again', CAROL);
        expect(next.ok).toBe(true);
        expect(delivered).toBe(2);
      } finally {
        await Promise.all([nginx.stop(), one.stop()]);
      }
    });

    it("rolls back to an old version's definitions with today's pods, keeping unpublished drafts", async () => {
      const endpoints = sharedEndpoints();
      const ops = await replica(knex, node(), { endpoints: endpoints.source });
      await ops.saveDomain(kubernetesDomain('shop', 18080), CAROL, 0);
      await ops.saveDomain(staticDomain('blog', 18081, 9001), CAROL, 0);
      await ops.publish('edge', 'first', CAROL);
      const [first] = await ops.listVersions('edge');

      // shop changes and is published; then its pods move
      await ops.saveDomain(
        {
          ...kubernetesDomain('shop', 18080),
          serverNames: ['new.example.com'],
        },
        CAROL,
        1,
      );
      await ops.publish('edge', 'second', CAROL);
      endpoints.set([{ address: '10.1.0.9', port: 8080 }]);
      // unpublished work: an edit of blog (which the rollback does not change) and a new domain
      await ops.saveDomain(staticDomain('blog', 18081, 9002), CAROL, 1);
      await ops.saveDomain(staticDomain('wiki', 18082, 9003), CAROL, 0);

      const result = await ops.rollback('edge', first.id, undefined, CAROL);
      expect(result).toMatchObject({ ok: true, keptDrafts: [] });
      const version = await ops.getVersion('edge', result.version);
      expect(version.rollbackOf).toBe(first.id);
      // the old definition, with the pods as they are now, not those of its time
      expect(version.files['shop.conf']).toContain(
        'server_name shop.example.com;',
      );
      expect(version.files['shop.conf']).toContain('server 10.1.0.9:8080;');
      expect(version.files['shop.conf']).not.toContain('10.1.0.1');
      expect(version.files['blog.conf']).toContain('server 127.0.0.1:9001;');
      expect(Object.keys(version.files).sort()).toEqual([
        'blog.conf',
        'shop.conf',
      ]);
      // shop is saved as it was then (a new version of it); the drafts are still drafts
      const shop = await ops.getDomainView('edge', 'shop');
      expect(shop.serverNames).toEqual(['shop.example.com']);
      expect(shop.version).toBe(3);
      expect(
        (await ops.getDomain('edge', 'blog')).upstreams[0].members[0].port,
      ).toBe(9002);
      expect((await ops.getDomain('edge', 'wiki')).name).toBe('wiki');

      // a draft of a domain the rollback changes stays the draft, and the answer names it
      await ops.saveDomain(
        {
          ...kubernetesDomain('shop', 18080),
          serverNames: ['next.example.com'],
        },
        CAROL,
        3,
      );
      await ops.publish('edge', 'third', CAROL); // publishes blog, wiki and shop's edit
      await ops.saveDomain(
        {
          ...kubernetesDomain('shop', 18080),
          serverNames: ['draft.example.com'],
        },
        CAROL,
        4,
      );
      const second = await ops.rollback('edge', first.id, 'back again', CAROL);
      expect(second.keptDrafts).toEqual(['shop']);
      expect((await ops.getDomain('edge', 'shop')).serverNames).toEqual([
        'draft.example.com',
      ]);
      const files = (await ops.getVersion('edge', second.version)).files;
      expect(files['shop.conf']).toContain('server_name shop.example.com;');
      // wiki was not in the old version: it is gone from what is live, and from the drafts
      // since it had no unpublished change
      expect(Object.keys(files).sort()).toEqual(['blog.conf', 'shop.conf']);
      await expect(ops.getDomain('edge', 'wiki')).rejects.toThrow(
        "no domain 'wiki'",
      );
    });
  });
});
