import {
  mockCredentials,
  TestDatabaseId,
  TestDatabases,
} from '@backstage/backend-test-utils';
import { AppsV1Api } from '@kubernetes/client-node';
import { readNdjson } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  clusterLocators,
  runningPod,
  serviceDeployment,
} from '../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';
import { servicesDatabase } from '../__testUtils__/servicesDatabase';
import { relay, Relay } from '@internal/plugin-container-cloud-node/testing';
import type { ShellEvent } from './ShellSessions';

jest.setTimeout(240_000);

// Two backend replicas on one database, as behind a round-robin load balancer: a shell opened
// through one is typed into, read, resized and closed through the other, which passes each
// request to the replica holding the shell's apiserver connection. Each replica is reached
// through a loopback relay on the address it registers, so the test can cut one off as a crash
// would (no shutdown, no clean-up).
const lc = useLocalCloud({ namespacePrefix: 'shellrep' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const BOB = 'user:default/bob'; // team-orders
const CLUSTER = 'local-a';
const BASE = '/api/services/services/default/payments-api/shells';
const databases = TestDatabases.create({ ids: ['SQLITE_3', 'POSTGRES_15'] });

describe('web shells across backend replicas', () => {
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

  it.each(databases.eachSupportedId())(
    'types into, reads, resizes and closes a shell through the other replica, and says when its replica is gone (%p)',
    async (databaseId: TestDatabaseId) => {
      const knex = await databases.init(databaseId);
      const cluster = lc.info.clusters.find(c => c.name === CLUSTER)!;
      const start = async (address: Relay) => {
        const backend = await startServicesBackend({
          clusters: clusterLocators([cluster]),
          containerCloud: {
            services: {
              shell: { replicaUrl: address.url, maxSessionsPerUser: 2 },
            },
          },
          services: [servicesDatabase(knex)],
        });
        address.to(backend.server.port());
        return `http://127.0.0.1:${backend.server.port()}`;
      };
      const toA = await relay().listen();
      const toB = await relay().listen();
      const a = await start(toA);
      const b = await start(toB);

      const call = (base: string, path: string, init: RequestInit = {}) =>
        fetch(`${base}${BASE}${path}`, {
          ...init,
          headers: {
            authorization: mockCredentials.user.header(ALICE),
            'content-type': 'application/json',
            ...init.headers,
          },
        });
      const open = (base: string) =>
        call(base, '', {
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

      const opened = await open(a);
      expect(opened.status).toBe(201);
      const { id } = await opened.json();

      // read and type through B: B holds nothing, A holds the shell
      const stream = await call(b, `/${id}/output`);
      expect(stream.status).toBe(200);
      expect(stream.headers.get('content-type')).toContain(
        'application/x-ndjson',
      );
      const typed = await call(b, `/${id}/input`, {
        method: 'POST',
        body: JSON.stringify({ data: 'echo through-$((40+2))\n' }),
      });
      expect(typed.status).toBe(204);
      let text = '';
      for await (const event of readNdjson<ShellEvent | { type: 'ping' }>(
        stream.body!,
      )) {
        if (event.type === 'output') {
          text += Buffer.from(event.data, 'base64').toString('utf8');
        }
        if (text.includes('through-42')) break;
      }
      expect(text).toContain('through-42');

      const resized = await call(b, `/${id}/resize`, {
        method: 'POST',
        body: JSON.stringify({ columns: 80, rows: 24 }),
      });
      expect(resized.status).toBe(204);
      // bad input is refused by the replica holding the shell, with its words
      const bad = await call(b, `/${id}/input`, {
        method: 'POST',
        body: JSON.stringify({ data: '' }),
      });
      expect(bad.status).toBe(400);
      expect((await bad.json()).error.message).toContain(
        'send at least one character',
      );
      // another user is not passed on: the shell is not theirs
      const other = await fetch(`${b}${BASE}/${id}/output`, {
        headers: { authorization: mockCredentials.user.header(BOB) },
      });
      expect(other.status).toBe(403);

      // the per-user limit counts the shells of every replica: one on A, one on B, none more
      const second = await open(b);
      expect(second.status).toBe(201);
      const third = await open(b);
      expect(third.status).toBe(409);
      expect((await third.json()).error.message).toContain(
        'you already have 2 shells open',
      );

      const closed = await call(b, `/${id}`, { method: 'DELETE' });
      expect(closed.status).toBe(204);

      // A is gone without a word: B says so, and the shell is forgotten
      const held = await open(a);
      expect(held.status).toBe(201);
      const { id: lost } = await held.json();
      await toA.cut();
      const gone = await call(b, `/${lost}/input`, {
        method: 'POST',
        body: JSON.stringify({ data: 'echo hello\n' }),
      });
      expect(gone.status).toBe(404);
      expect((await gone.json()).error.message).toBe(
        `shell ${lost} was lost: the backend replica that held it stopped; open a new shell`,
      );
      const again = await call(b, `/${lost}/input`, {
        method: 'POST',
        body: JSON.stringify({ data: 'echo hello\n' }),
      });
      expect(again.status).toBe(404);
      expect((await again.json()).error.message).toContain(
        `no shell ${lost} of yours is open`,
      );
      await toB.cut();
    },
  );
});
