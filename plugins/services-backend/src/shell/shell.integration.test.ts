import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api, V1Pod } from '@kubernetes/client-node';
import {
  ClusterConnection,
  PodExec,
  PodOperations,
} from '@internal/plugin-container-cloud-node';
import {
  RecordedAuditEvent,
  recordingAuditor,
} from '@internal/plugin-container-cloud-node/testing';
import crypto from 'node:crypto';
import { PassThrough } from 'node:stream';
import { useLocalCloud } from '@internal/local-cloud/testing';
import request from 'supertest';
import {
  clusterLocators,
  runningPod,
  serviceDeployment,
} from '../__testUtils__/localCloudFixtures';
import { startServicesBackend } from '../__testUtils__/startServicesBackend';
import {
  serviceEntity,
  waitForEntity,
} from '@internal/plugin-container-cloud-node/testing';
import type { ShellEvent } from './ShellSessions';
import { readNdjson } from '@internal/plugin-container-cloud-common';

jest.setTimeout(180_000);

// Web shells and file downloads through the real apiserver's pods/exec into kwok's fake
// containers (the local cloud's kwok runs the command on this machine, as nobody when root).
const lc = useLocalCloud({ namespacePrefix: 'shell' });
const ALICE = 'user:default/alice'; // team-payments, owns payments-api
const BOB = 'user:default/bob'; // team-orders
const CAROL = 'user:default/carol'; // ops-admins
const CLUSTER = 'local-a';
const BASE = '/api/services/services/default/payments-api/shells';

function deployment(namespace: string, service: string) {
  return serviceDeployment({
    namespace,
    name: service,
    kubernetesId: service,
    containers: [{ name: 'app', image: `example.com/${service}:1` }],
  });
}

/** NDJSON events of a shell's output stream, as the page reads them, without the pings. */
async function* shellEvents(response: Response): AsyncGenerator<ShellEvent> {
  for await (const event of readNdjson<ShellEvent | { type: 'ping' }>(
    response.body!,
  )) {
    if (event.type !== 'ping') yield event;
  }
}

describe('web shell on the local cloud', () => {
  const audit = { events: [] as RecordedAuditEvent[] };
  let backend: Awaited<ReturnType<typeof startServicesBackend>>;
  let baseUrl: string;
  let ownPod: string;
  let otherPod: string;

  beforeAll(async () => {
    const apps = lc.kubeConfig(CLUSTER).makeApiClient(AppsV1Api);
    for (const service of ['payments-api', 'ledger']) {
      await apps.createNamespacedDeployment({
        namespace: lc.namespace,
        body: deployment(lc.namespace, service),
      });
    }
    const cluster = lc.info.clusters.find(c => c.name === CLUSTER)!;
    backend = await startServicesBackend({
      clusters: clusterLocators([cluster]),
      containerCloud: { services: { shell: { maxSessionsPerUser: 2 } } },
      services: [recordingAuditor(audit.events)],
      // two services of team-payments: alice may exec into both
      entities: [
        serviceEntity('payments-api', 'group:default/team-payments'),
        serviceEntity('payments-worker', 'group:default/team-payments'),
      ],
    });
    baseUrl = `http://127.0.0.1:${backend.server.port()}`;
    ownPod = await runningPod(
      lc.kubeConfig(CLUSTER),
      lc.namespace,
      'payments-api',
    );
    otherPod = await runningPod(lc.kubeConfig(CLUSTER), lc.namespace, 'ledger');
  });

  afterAll(() => backend?.stop());

  const open = (user: string, body: object = {}) =>
    request(backend.server)
      .post(BASE)
      .set('Authorization', mockCredentials.user.header(user))
      .send({
        cluster: CLUSTER,
        namespace: lc.namespace,
        pod: ownPod,
        container: 'app',
        shell: 'sh',
        columns: 120,
        rows: 30,
        ...body,
      });
  const send = (user: string, id: string, data: string) =>
    request(backend.server)
      .post(`${BASE}/${id}/input`)
      .set('Authorization', mockCredentials.user.header(user))
      .send({ data });
  const output = (user: string, id: string, offset = 0) =>
    fetch(`${baseUrl}${BASE}/${id}/output?offset=${offset}`, {
      headers: { Authorization: mockCredentials.user.header(user) },
    });

  /** Reads the stream until `until` holds for the text so far, or the shell ends. */
  async function readUntil(
    events: AsyncGenerator<ShellEvent>,
    until: (text: string) => boolean,
  ) {
    let text = '';
    let exit: Extract<ShellEvent, { type: 'exit' }> | undefined;
    // next() rather than for-await: leaving a for-await loop would close the stream
    for (;;) {
      const { done, value: event } = await events.next();
      if (done) break;
      if (event.type === 'exit') {
        exit = event;
        break;
      }
      text += Buffer.from(event.data, 'base64').toString('utf8');
      if (until(text)) break;
    }
    return { text, exit };
  }

  it('runs commands in the container for its owner, streams the output, and reports the exit code', async () => {
    const opened = await open(ALICE);
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    expect(opened.body).toMatchObject({ cluster: CLUSTER, pod: ownPod });

    const stream = await output(ALICE, id);
    expect(stream.status).toBe(200);
    expect(stream.headers.get('content-type')).toContain(
      'application/x-ndjson',
    );
    const events = shellEvents(stream);

    expect((await send(ALICE, id, 'echo marker-$((6*7))\n')).status).toBe(204);
    const first = await readUntil(events, text => text.includes('marker-42'));
    expect(first.text).toContain('marker-42');

    const resized = await request(backend.server)
      .post(`${BASE}/${id}/resize`)
      .set('Authorization', mockCredentials.user.header(ALICE))
      .send({ columns: 80, rows: 24 });
    expect(resized.status).toBe(204);

    await send(ALICE, id, 'exit 3\n');
    const end = await readUntil(events, () => false);
    expect(end.exit).toMatchObject({ type: 'exit', exitCode: 3 });

    // a page that reconnects from offset 0 reads the whole session again, then its end
    const replay = await readUntil(
      shellEvents(await output(ALICE, id)),
      () => false,
    );
    expect(replay.text).toContain('marker-42');
    expect(replay.exit).toMatchObject({ exitCode: 3 });

    const late = await send(ALICE, id, 'echo too late\n');
    expect(late.status).toBe(409);
    expect(late.body.error.message).toContain(
      'the shell has ended: exit code 3',
    );

    const opens = audit.events.filter(e => e.eventId === 'container-shell');
    expect(opens).toContainEqual(
      expect.objectContaining({
        outcome: 'success',
        meta: expect.objectContaining({
          entityRef: 'component:default/payments-api',
          shell: id,
        }),
      }),
    );
    expect(
      audit.events.find(
        e => e.eventId === 'container-shell-end' && e.meta?.shell === id,
      ),
    ).toMatchObject({
      outcome: 'success',
      meta: { user: ALICE, pod: ownPod, exitCode: 3 },
    });
  });

  it('lets an ops admin in, keeps each shell to the user who opened it', async () => {
    const opened = await open(CAROL);
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    // alice may exec into payments-api, but this shell is carol's
    const theirs = await output(ALICE, id);
    expect(theirs.status).toBe(404);
    expect((await send(ALICE, id, 'id\n')).status).toBe(404);
    const closed = await request(backend.server)
      .delete(`${BASE}/${id}`)
      .set('Authorization', mockCredentials.user.header(CAROL));
    expect(closed.status).toBe(204);
    const end = await readUntil(
      shellEvents(await output(CAROL, id)),
      () => false,
    );
    expect(end.exit).toMatchObject({ message: 'closed by the user' });
  });

  it("answers a shell reached through another service's URL as absent, even one its user may exec into", async () => {
    await waitForEntity(baseUrl, 'component/default/payments-worker');
    const opened = await open(ALICE);
    expect(opened.status).toBe(201);
    const id = opened.body.id as string;
    const other = `/api/services/services/default/payments-worker/shells/${id}`;
    const as = (req: request.Test) =>
      req.set('Authorization', mockCredentials.user.header(ALICE));
    const answers = [
      await as(request(backend.server).post(`${other}/input`)).send({
        data: 'id\n',
      }),
      await as(request(backend.server).post(`${other}/resize`)).send({
        columns: 80,
        rows: 24,
      }),
      await as(request(backend.server).get(`${other}/output`)),
      await as(request(backend.server).delete(other)),
    ];
    expect(answers.map(r => [r.status, r.body.error?.message])).toEqual(
      answers.map(() => [404, `no shell ${id} of yours is open`]),
    );
    // through its own service's URL it is there, and still open
    const closed = await as(request(backend.server).delete(`${BASE}/${id}`));
    expect(closed.status).toBe(204);
  });

  it('refuses other teams, and audits the refusal', async () => {
    const res = await open(BOB);
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain('only its owners and ops admins');
    expect(audit.events).toContainEqual(
      expect.objectContaining({
        eventId: 'container-shell',
        outcome: 'fail',
        meta: expect.objectContaining({
          entityRef: 'component:default/payments-api',
        }),
      }),
    );
    const anonymous = await request(backend.server).post(BASE).send({});
    expect(anonymous.status).toBe(401);
  });

  it('refuses a shell asked for from another site’s page', async () => {
    const res = await open(ALICE).set('Origin', 'https://evil.example');
    expect(res.status).toBe(403);
    expect(res.body.error.message).toContain(
      "only from the portal's own pages",
    );
  });

  it('never reaches another service’s container', async () => {
    const res = await open(ALICE, { pod: otherPod });
    expect(res.status).toBe(404);
    expect(res.body.error.message).toContain(
      'service payments-api has no container app in pod',
    );
    const noContainer = await open(ALICE, { container: 'sidecar' });
    expect(noContainer.status).toBe(404);
  });

  it.each([
    [{ shell: 'rm -rf /' }, 'shell is one of sh, bash'],
    [{ container: 'App;reboot' }, 'a container name is lower-case'],
    [{ columns: 100000 }, 'columns'],
    [{ pod: '../etc' }, 'a pod name is lower-case'],
    [{ command: ['cat', '/etc/shadow'] }, 'command'],
  ])('answers 400 to %j', async (body, message) => {
    const opened = () =>
      audit.events.filter(
        e => e.eventId === 'container-shell' && e.outcome === 'success',
      ).length;
    const before = opened();
    const res = await open(ALICE, body);
    expect(res.status).toBe(400);
    expect(res.body.error.message).toContain(message);
    expect(opened()).toBe(before);
  });

  it('holds a user to the configured number of open shells', async () => {
    const first = await open(ALICE);
    const second = await open(ALICE);
    expect([first.status, second.status]).toEqual([201, 201]);
    const third = await open(ALICE);
    expect(third.status).toBe(409);
    expect(third.body.error.message).toContain('2 shells open');
    for (const res of [first, second]) {
      await request(backend.server)
        .delete(`${BASE}/${res.body.id}`)
        .set('Authorization', mockCredentials.user.header(ALICE));
    }
    expect((await open(ALICE)).status).toBe(201);
  });

  describe('debug container', () => {
    const debug = (user: string, body: object = {}) =>
      request(backend.server)
        .post('/api/services/services/default/payments-api/containers/debug')
        .set('Authorization', mockCredentials.user.header(user))
        .send({
          cluster: CLUSTER,
          namespace: lc.namespace,
          pod: ownPod,
          container: 'app',
          image: 'busybox:1.36',
          ...body,
        });

    it('lists the tools images it may run', async () => {
      const res = await request(backend.server)
        .get('/api/services/services/default/payments-api/debug-images')
        .set('Authorization', mockCredentials.user.header(BOB));
      expect(res.status).toBe(200);
      expect(res.body.images).toEqual([
        'nicolaka/netshoot:v0.13',
        'busybox:1.36',
      ]);
    });

    it('adds an ephemeral container targeting the container, and opens a shell in it', async () => {
      const res = await debug(ALICE);
      expect(res.status).toBe(200);
      const name = res.body.container as string;
      expect(name).toMatch(/^debug-[0-9a-f]{6}$/);
      expect(res.body).toMatchObject({
        image: 'busybox:1.36',
        targetContainer: 'app',
      });

      // the real apiserver has it in the pod; the local cloud's kwok marks it running
      const core = lc.kubeConfig(CLUSTER).makeApiClient(CoreV1Api);
      let pod: V1Pod | undefined;
      for (let i = 0; i < 60; i++) {
        pod = await core.readNamespacedPod({
          namespace: lc.namespace,
          name: ownPod,
        });
        if (
          pod.status?.ephemeralContainerStatuses?.some(
            c => c.name === name && c.state?.running,
          )
        )
          break;
        await new Promise(resolve => setTimeout(resolve, 500));
      }
      expect(pod!.spec!.ephemeralContainers).toContainEqual(
        expect.objectContaining({
          name,
          image: 'busybox:1.36',
          targetContainerName: 'app',
        }),
      );

      const opened = await open(ALICE, { container: name });
      expect(opened.status).toBe(201);
      const events = shellEvents(await output(ALICE, opened.body.id));
      await send(ALICE, opened.body.id, 'echo debug-$((40+2))\n');
      expect(
        (await readUntil(events, t => t.includes('debug-42'))).text,
      ).toContain('debug-42');
      await request(backend.server)
        .delete(`${BASE}/${opened.body.id}`)
        .set('Authorization', mockCredentials.user.header(ALICE));

      expect(audit.events).toContainEqual(
        expect.objectContaining({
          eventId: 'container-debug',
          outcome: 'success',
        }),
      );
    });

    it('runs only the configured images, and only for owners and ops', async () => {
      const other = await debug(ALICE, { image: 'evil/miner:latest' });
      expect(other.status).toBe(400);
      expect(other.body.error.message).toContain(
        'one of the configured tools images',
      );
      expect((await debug(BOB)).status).toBe(403);
      expect((await debug(ALICE, { pod: otherPod })).status).toBe(404);
    });
  });

  describe('file download from inside a container', () => {
    const FILE = `/tmp/cc-file-test-${crypto
      .randomBytes(4)
      .toString('hex')}.log`;
    // a symlink in an allowed folder to a file outside every one of them
    const LINK = FILE.replace(/\.log$/, '-link.log');
    const CONTENT = Array.from(
      { length: 2000 },
      (_, i) => `line ${i} ok\n`,
    ).join('');
    const download = (user: string, query: object) =>
      request(backend.server)
        .get('/api/services/services/default/payments-api/containers/file')
        .set('Authorization', mockCredentials.user.header(user))
        .query({
          cluster: CLUSTER,
          namespace: lc.namespace,
          pod: ownPod,
          container: 'app',
          ...query,
        })
        .buffer(true)
        .parse((res, callback) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => callback(null, Buffer.concat(chunks)));
        });

    beforeAll(async () => {
      // the application writes its log file: a command in the container, as kwok runs it
      const cluster = lc.info.clusters.find(c => c.name === CLUSTER)!;
      const connection = new ClusterConnection({
        name: cluster.name,
        url: cluster.url,
        caData: cluster.caData,
        serviceAccountToken: cluster.serviceAccountToken,
        skipTLSVerify: false,
      });
      const exit = await new PodExec(
        connection,
        new PodOperations(connection),
      ).run(
        {
          namespace: lc.namespace,
          pod: ownPod,
          container: 'app',
          kubernetesId: 'payments-api',
        },
        [
          'sh',
          '-c',
          `printf '%s' "$0" > ${FILE} && ln -sf /etc/passwd ${LINK}`,
          CONTENT,
        ],
        new PassThrough(),
      );
      if (exit.exitCode !== 0) {
        throw new Error(`could not write ${FILE}: ${JSON.stringify(exit)}`);
      }
    });

    it('returns the file byte for byte, as an attachment, and audits the read', async () => {
      const res = await download(ALICE, { path: FILE });
      expect(res.status).toBe(200);
      expect(res.headers['content-disposition']).toBe(
        `attachment; filename="${ownPod}_app_${FILE.slice(5)}"`,
      );
      expect((res.body as Buffer).toString('utf8')).toBe(CONTENT);
      expect(audit.events).toContainEqual(
        expect.objectContaining({
          eventId: 'container-file-read',
          outcome: 'success',
          meta: expect.objectContaining({ bytes: Buffer.byteLength(CONTENT) }),
        }),
      );
    });

    it('says plainly when the file is not there', async () => {
      const res = await download(ALICE, { path: '/tmp/no-such-file.log' });
      expect(res.status).toBe(404);
      expect(JSON.parse(res.body.toString()).error.message).toContain(
        'No such file',
      );
    });

    it.each([
      [
        '/etc/shadow',
        'files may be downloaded from /var/log/, /logs/, /app/logs/, /tmp/ only',
      ],
      ['/tmp/../etc/passwd', 'without . or .. parts'],
      ['/tmp/a;reboot', 'holds only letters, digits and . _ / -'],
      ['tmp/x.log', "starts with '/'"],
      ['/tmp/', 'names a file'],
    ])('refuses %s with a 400', async (filePath, message) => {
      const res = await download(ALICE, { path: filePath });
      expect(res.status).toBe(400);
      expect(JSON.parse(res.body.toString()).error.message).toContain(message);
    });

    it('refuses a symlink out of the allowed folders with 403, resolved in the container', async () => {
      const res = await download(ALICE, { path: LINK });
      expect(res.status).toBe(403);
      expect(JSON.parse(res.body.toString()).error.message).toBe(
        `container-cloud: ${LINK} leads to /etc/passwd, outside the folders files may be downloaded from; refused`,
      );
      expect(audit.events).toContainEqual(
        expect.objectContaining({
          eventId: 'container-file-read',
          outcome: 'fail',
          meta: expect.objectContaining({
            request: expect.objectContaining({ path: LINK }),
          }),
        }),
      );
    });

    it('refuses other teams, and another service’s pods', async () => {
      expect((await download(BOB, { path: FILE })).status).toBe(403);
      expect(
        (await download(ALICE, { path: FILE, pod: otherPod })).status,
      ).toBe(404);
    });
  });
});
