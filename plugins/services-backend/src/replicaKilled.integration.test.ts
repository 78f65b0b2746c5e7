import { mockCredentials, TestDatabases } from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import {
  readNdjson,
  readServerSentEvents,
} from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  clusterLocators,
  runningPod,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';
import { servicesDatabase } from './__testUtils__/servicesDatabase';
import { relay, Relay } from '@internal/plugin-container-cloud-node/testing';
import type { ShellEvent } from './shell/ShellSessions';

jest.setTimeout(240_000);

// Two backend replicas on one PostgreSQL; one of them dies while a person has a shell and a live
// log follow open on it (its relay is cut: its connections drop, nothing is shut down or cleaned
// up). The follow ends instead of hanging and a new one works through the survivor; the shell,
// asked for through the survivor, is said to be lost, and a new one opens there and runs.
const lc = useLocalCloud({ namespacePrefix: 'replkill' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const CLUSTER = 'local-a';
const SERVICE = '/api/services/services/default/payments-api';
const databases = TestDatabases.create({ ids: ['POSTGRES_15'] });

/** How a stream read through a replica finished: it ended, or its connection broke. */
async function finished(read: AsyncIterable<unknown>): Promise<string> {
  try {
    for await (const _ of read) {
      // the rest of what was sent before the replica died
    }
    return 'ended';
  } catch {
    return 'broken';
  }
}

describe('a backend replica killed mid-run', () => {
  let pod: string;

  beforeAll(async () => {
    await lc
      .kubeConfig(CLUSTER)
      .makeApiClient(AppsV1Api)
      .createNamespacedDeployment({
        namespace: lc.namespace,
        body: serviceDeployment({
          namespace: lc.namespace,
          name: 'payments-api',
          kubernetesId: 'payments-api',
          containers: [{ name: 'app', image: 'example.com/payments-api:1' }],
        }),
      });
    pod = await runningPod(
      lc.kubeConfig(CLUSTER),
      lc.namespace,
      'payments-api',
    );
  });

  it('has PostgreSQL to run against', () => {
    expect(databases.supports('POSTGRES_15')).toBe(true);
  });

  it.each(databases.eachSupportedId())(
    'ends its follows and says its shells were lost; the survivor opens new ones (%p)',
    async databaseId => {
      const knex = await databases.init(databaseId);
      const cluster = lc.info.clusters.find(c => c.name === CLUSTER)!;
      const backends: Array<{ stop(): Promise<void> }> = [];
      const start = async (address: Relay) => {
        const backend = await startServicesBackend({
          clusters: clusterLocators([cluster]),
          containerCloud: { services: { shell: { replicaUrl: address.url } } },
          services: [servicesDatabase(knex)],
        });
        backends.push(backend);
        address.to(backend.server.port());
      };
      const toA = await relay().listen();
      const toB = await relay().listen();
      await start(toA);
      await start(toB);
      // the person's browser reaches each replica as the load balancer does: through its relay
      const [a, b] = [toA.url, toB.url];
      const call = (base: string, path: string, init: RequestInit = {}) =>
        fetch(`${base}${SERVICE}${path}`, {
          ...init,
          headers: {
            authorization: mockCredentials.user.header(ALICE),
            'content-type': 'application/json',
            ...init.headers,
          },
        });
      const follow = async (base: string) => {
        const res = await call(
          base,
          `/containers/logs/follow?cluster=${CLUSTER}&namespace=${lc.namespace}&pod=${pod}&tailLines=1`,
        );
        expect(res.status).toBe(200);
        const events = readServerSentEvents(res.body!);
        const first = await events.next();
        expect(first.done).toBe(false);
        expect(first.value).toMatchObject({ event: 'open' });
        return events;
      };
      const openShell = async (base: string) => {
        const res = await call(base, '/shells', {
          method: 'POST',
          body: JSON.stringify({
            cluster: CLUSTER,
            namespace: lc.namespace,
            pod,
            container: 'app',
            shell: 'sh',
            columns: 120,
            rows: 30,
          }),
        });
        expect(res.status).toBe(201);
        return ((await res.json()) as { id: string }).id;
      };

      try {
        // on A: a follow streaming, a shell with its output open
        const followOnA = await follow(a);
        const shellOnA = await openShell(a);
        const outputOnA = await call(a, `/shells/${shellOnA}/output`);
        expect(outputOnA.status).toBe(200);

        await toA.cut();

        // the browser's streams from A end (they do not hang), as EventSource and the shell
        // dialog see a dropped connection
        expect(['ended', 'broken']).toContain(await finished(followOnA));
        expect(['ended', 'broken']).toContain(
          await finished(readNdjson(outputOnA.body!)),
        );

        // the shell, asked for through B: lost, in words the dialog shows
        const lost = await call(b, `/shells/${shellOnA}/input`, {
          method: 'POST',
          body: JSON.stringify({ data: 'echo hello\n' }),
        });
        expect(lost.status).toBe(404);
        expect((await lost.json()).error.message).toBe(
          `shell ${shellOnA} was lost: the backend replica that held it stopped; open a new shell`,
        );

        // a new follow through B streams
        const followOnB = await follow(b);
        const line = await followOnB.next();
        expect(line.done).toBe(false);
        expect(line.value).toMatchObject({ event: 'message' });
        await followOnB.return(undefined);

        // a new shell through B runs
        const shellOnB = await openShell(b);
        const output = await call(b, `/shells/${shellOnB}/output`);
        const typed = await call(b, `/shells/${shellOnB}/input`, {
          method: 'POST',
          body: JSON.stringify({ data: 'echo survivor-$((40+2))\n' }),
        });
        expect(typed.status).toBe(204);
        let text = '';
        for await (const event of readNdjson<ShellEvent | { type: 'ping' }>(
          output.body!,
        )) {
          if (event.type === 'output') {
            text += Buffer.from(event.data, 'base64').toString('utf8');
          }
          if (text.includes('survivor-42')) break;
        }
        expect(text).toContain('survivor-42');
        expect(
          (await call(b, `/shells/${shellOnB}`, { method: 'DELETE' })).status,
        ).toBe(204);
      } finally {
        await toB.cut();
        for (const backend of backends) await backend.stop();
      }
    },
  );
});
