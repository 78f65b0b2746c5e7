import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { mockCredentials } from '@backstage/backend-test-utils';
import {
  AppsV1Api,
  CoreV1Api,
  PatchStrategy,
  setHeaderOptions,
  V1Pod,
} from '@kubernetes/client-node';
import {
  readServerSentEvents,
  ServerSentEvent,
} from '@internal/plugin-container-cloud-common';
import type { EventList } from '@internal/plugin-container-cloud-common';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  poll,
  serviceDeployment,
} from './__testUtils__/localCloudFixtures';
import { startServicesBackend } from './__testUtils__/startServicesBackend';

jest.setTimeout(180_000);

// Logs and events of a service's containers, against the local cloud's real apiservers. kwok
// acts as every node's kubelet and serves each container's log from one file per cluster
// (packages/local-cloud: ClusterLogs in kwokConfig.ts), in the CRI format a kubelet stores.
const lc = useLocalCloud({ namespacePrefix: 'svc' });
const BOB = 'user:default/bob'; // team-orders: reads payments-api, does not own it
const IMAGE = 'registry.example.com/payments/api:1.0.0';

function deployment(
  namespace: string,
  name: string,
  kubernetesId: string,
  resources?: object,
) {
  return serviceDeployment({
    namespace,
    name,
    kubernetesId,
    containers: [{ name: 'app', image: IMAGE, resources }],
  });
}

/** The messages of a CRI log file, in order (time, stream, tag, then the text). */
function criMessages(file: string): string[] {
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map(line => line.split(' ').slice(3).join(' '));
}

type SseEvent = ServerSentEvent;

/** Reads Server-Sent Events from a fetch response body, keeping what it has read across calls. */
function sseReader(body: ReadableStream<Uint8Array>) {
  const frames = readServerSentEvents(body);
  const events: SseEvent[] = [];
  return {
    /** Reads until `done(events so far)` holds; throws if the stream ends first. */
    async until(done: (events: SseEvent[]) => boolean): Promise<SseEvent[]> {
      while (!done(events)) {
        const next = await frames.next();
        if (next.done)
          throw new Error(`the stream ended after ${JSON.stringify(events)}`);
        events.push(next.value);
      }
      return events;
    },
  };
}

describe('container logs and events on the local cloud', () => {
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let baseUrl: string;
  let pod: V1Pod;
  let otherPod: V1Pod;
  let restartedPod: V1Pod;
  const logFile = () =>
    path.join(lc.info.home, 'local-a', 'kwok-sample-container.log');
  const core = () => lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
  const logs = (query: Record<string, string | number | boolean>) =>
    request(backend.server)
      .get('/api/services/services/default/payments-api/containers/logs')
      .query({ cluster: 'local-a', namespace: lc.namespace, ...query })
      .set('Authorization', mockCredentials.user.header(BOB));

  /** The running pod of a Deployment, read from the apiserver. */
  const runningPod = (app: string) =>
    poll(`a running pod of ${app}`, async () => {
      const pods = await core().listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: `app=${app}`,
      });
      return pods.items.find(p => p.status?.phase === 'Running');
    });

  beforeAll(async () => {
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'payments-api', 'payments-api'),
    });
    // one whose status the test marks restarted
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'payments-api-restarted', 'payments-api'),
    });
    // another service's workload in the same namespace: never readable through payments-api
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'orders-api', 'orders-api'),
    });
    backend = await startServicesBackend({
      containerCloud: { services: { logs: { maxFollowsPerUser: 1 } } },
      clusters: clusterLocators(lc.info.clusters),
    });
    baseUrl = `http://localhost:${backend.server.port()}/api/services/services/default/payments-api`;
    pod = await runningPod('payments-api');
    otherPod = await runningPod('orders-api');
    restartedPod = await runningPod('payments-api-restarted');
  });

  afterAll(() => backend?.stop());

  it('tails the last N lines the kubelet has for the container', async () => {
    const expected = criMessages(logFile());
    expect(expected.length).toBeGreaterThanOrEqual(3);
    const res = await logs({ pod: pod.metadata!.name!, tailLines: 2 });
    expect(res.status).toBe(200);
    expect(res.headers['content-type']).toMatch(/^text\/plain/);
    expect(res.text.split('\n').filter(Boolean)).toEqual(expected.slice(-2));
    expect(res.headers['content-disposition']).toBeUndefined();
  });

  it('names the container when the pod has one, and serves the whole tail by default', async () => {
    const res = await logs({ pod: pod.metadata!.name!, container: 'app' });
    expect(res.status).toBe(200);
    expect(res.text.split('\n').filter(Boolean)).toEqual(
      criMessages(logFile()).slice(-500),
    );
  });

  it('downloads the log as a file', async () => {
    const name = pod.metadata!.name!;
    const res = await logs({ pod: name, download: true, tailLines: 5000 });
    expect(res.status).toBe(200);
    expect(res.headers['content-disposition']).toBe(
      `attachment; filename="${name}_app.log"`,
    );
    expect(res.text).toContain(criMessages(logFile())[0]);
  });

  it('says plainly that a container that never restarted has no previous logs', async () => {
    const res = await logs({ pod: pod.metadata!.name!, previous: true });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toBe(
      `container app of ${lc.namespace}/${
        pod.metadata!.name
      } has not restarted, so it has no previous logs`,
    );
  });

  it("reads a restarted container's previous logs from the kubelet", async () => {
    // kwok never restarts a container: record a restart in the pod's status as a kubelet would
    await core().patchNamespacedPodStatus(
      {
        name: restartedPod.metadata!.name!,
        namespace: lc.namespace,
        body: {
          status: {
            containerStatuses: [
              {
                ...restartedPod.status!.containerStatuses![0],
                restartCount: 1,
              },
            ],
          },
        },
      },
      setHeaderOptions('Content-Type', PatchStrategy.StrategicMergePatch),
    );
    // the local cloud's kwok serves its sample log of a previous instance (what it wrote before
    // the restart: the out-of-memory line)
    const res = await logs({
      pod: restartedPod.metadata!.name!,
      previous: true,
    });
    expect(res.status).toBe(200);
    expect(res.text).toBe(
      'level=info msg="starting" version=1.0.0\nlevel=error msg="out of memory" heap=250Mi\n',
    );
  });

  it('answers 400 to a tail out of bounds or a bad flag, and 404 to an unknown container', async () => {
    for (const tailLines of [0, 5001, 'many']) {
      const res = await logs({ pod: pod.metadata!.name!, tailLines });
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(
        'tailLines is a whole number from 1 to 5000',
      );
    }
    const flag = await logs({ pod: pod.metadata!.name!, previous: 'yes' });
    expect(flag.status).toBe(400);
    expect(flag.body.error.message).toContain('previous is true or false');

    const unknown = await logs({ pod: pod.metadata!.name!, container: 'db' });
    expect(unknown.status).toBe(404);
    expect(unknown.body.error.message).toContain('has no container db');
  });

  it("never serves another service's logs: its pod is answered 404", async () => {
    const res = await logs({ pod: otherPod.metadata!.name! });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain('for this service');
    expect(res.text).not.toContain('listening');
    // through the live follow too
    const follow = await fetch(
      `${baseUrl}/containers/logs/follow?cluster=local-a&namespace=${
        lc.namespace
      }&pod=${otherPod.metadata!.name}`,
      { headers: { Authorization: mockCredentials.user.header(BOB) } },
    );
    expect(follow.status).toBe(404);
  });

  it('refuses a request without a user', async () => {
    const res = await request(backend.server)
      .get('/api/services/services/default/payments-api/containers/logs')
      .query({
        cluster: 'local-a',
        namespace: lc.namespace,
        pod: pod.metadata!.name!,
      });
    expect(res.status).toBe(401);
  });

  it('follows: a line appended to the container log arrives, and one follow per user is the limit', async () => {
    const url = `${baseUrl}/containers/logs/follow?cluster=local-a&namespace=${
      lc.namespace
    }&pod=${pod.metadata!.name}&tailLines=1`;
    const headers = { Authorization: mockCredentials.user.header(BOB) };
    const first = new AbortController();
    const res = await fetch(url, { headers, signal: first.signal });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/event-stream/);
    const stream = sseReader(res.body!);
    const opening = await stream.until(events =>
      events.some(e => e.event === 'message'),
    );
    expect(opening[0]).toEqual({
      event: 'open',
      data: JSON.stringify({ container: 'app', cluster: 'local-a' }),
    });
    expect(opening[1]).toEqual({
      event: 'message',
      data: criMessages(logFile()).slice(-1)[0],
    });

    // a second follow by the same user is over the limit (maxFollowsPerUser: 1)
    const second = await fetch(url, { headers });
    expect(second.status).toBe(429);
    expect((await second.json()).error.message).toContain(
      'you already follow 1 logs',
    );

    // the container writes a new line: it reaches the browser through the open stream
    const marker = `level=info msg="follow test" token=${crypto
      .randomBytes(6)
      .toString('hex')}`;
    fs.appendFileSync(
      logFile(),
      `${new Date().toISOString()} stdout F ${marker}\n`,
    );
    const after = await stream.until(events =>
      events.some(e => e.data === marker),
    );
    expect(after.map(e => e.data)).toContain(marker);

    // the browser leaves: the backend closes the apiserver stream and frees the slot
    first.abort();
    const again = await poll('the follow slot freed', async () => {
      const attempt = new AbortController();
      const r = await fetch(url, { headers, signal: attempt.signal });
      if (r.status === 200) return attempt;
      expect(r.status).toBe(429);
      await r.body?.cancel();
      return undefined;
    });
    again.abort();
  });

  it('lists the events of a pod that cannot be scheduled, newest first', async () => {
    const apps = lc.kubeConfig('local-a').makeApiClient(AppsV1Api);
    // far more CPU than any kwok node has: the scheduler records FailedScheduling
    await apps.createNamespacedDeployment({
      namespace: lc.namespace,
      body: deployment(lc.namespace, 'payments-api-huge', 'payments-api', {
        requests: { cpu: '100000' },
      }),
    });
    const pending = await poll('the huge pod', async () => {
      const pods = await core().listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: 'app=payments-api-huge',
      });
      return pods.items[0];
    });
    const events = (query: Record<string, string>) =>
      request(backend.server)
        .get('/api/services/services/default/payments-api/events')
        .query({ cluster: 'local-a', namespace: lc.namespace, ...query })
        .set('Authorization', mockCredentials.user.header(BOB));

    const list = await poll('a FailedScheduling event', async () => {
      const res = await events({ pod: pending.metadata!.name! });
      expect(res.status).toBe(200);
      const body = res.body as EventList;
      return body.items.some(e => e.reason === 'FailedScheduling')
        ? body
        : undefined;
    });
    const failed = list.items.find(e => e.reason === 'FailedScheduling')!;
    expect(failed).toMatchObject({
      type: 'Warning',
      object: { kind: 'Pod', name: pending.metadata!.name },
    });
    expect(failed.message).toMatch(/Insufficient cpu/);
    expect(failed.count).toBeGreaterThanOrEqual(1);
    expect(failed.lastSeen).toBeDefined();

    // the Deployment's own events and its ReplicaSet's, newest first
    const ofDeployment = await poll('deployment events', async () => {
      const res = await events({ deployment: 'payments-api-huge' });
      expect(res.status).toBe(200);
      const body = res.body as EventList;
      const kinds = new Set(body.items.map(e => e.object.kind));
      return kinds.has('Deployment') && kinds.has('ReplicaSet')
        ? body
        : undefined;
    });
    expect(ofDeployment.items).toContainEqual(
      expect.objectContaining({
        type: 'Normal',
        reason: 'ScalingReplicaSet',
        object: { kind: 'Deployment', name: 'payments-api-huge' },
      }),
    );
    const times = ofDeployment.items.map(e => e.lastSeen ?? '');
    expect([...times].sort().reverse()).toEqual(times);

    // a container that never started has no logs, and says why
    const noLogs = await logs({ pod: pending.metadata!.name! });
    expect(noLogs.status).toBe(404);
    expect(noLogs.body.error.message).toBe(
      `container app of ${lc.namespace}/${
        pending.metadata!.name
      } has not started yet (Pending), so it has no logs`,
    );

    // another service's objects are absent; a query naming both is refused
    const other = await events({ deployment: 'orders-api' });
    expect(other.status).toBe(404);
    const both = await events({
      pod: pending.metadata!.name!,
      deployment: 'payments-api-huge',
    });
    expect(both.status).toBe(400);
    expect(both.body.error.message).toContain(
      'name either a pod or a deployment',
    );
  });
});
