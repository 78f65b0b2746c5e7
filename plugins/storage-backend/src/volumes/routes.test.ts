import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  recordingAuditor,
  RecordedAuditEvent,
} from '@internal/plugin-container-cloud-node/testing';
import { volumeRouteTable } from './routes';
import type { VolumeService } from './VolumeService';
import { startStorageBackend } from '../__testUtils__/startStorageBackend';

jest.setTimeout(120_000);

/** Every route of the volume table as `METHOD /path`. */
function table() {
  // nothing is called while the table is declared
  return volumeRouteTable({} as VolumeService).map(
    r => `${r.method.toUpperCase()} ${r.path}`,
  );
}

/** A valid request for every mutating route: with no cluster, the owner gets past the check only. */
const MUTATIONS: Record<string, { body?: object; allowed: number }> = {
  'POST /services/:namespace/:name/volumes': {
    body: {
      name: 'data',
      type: 'nfs',
      size: '1Gi',
      accessMode: 'ReadWriteMany',
    },
    allowed: 400, // runs in no cluster
  },
  'POST /services/:namespace/:name/volumes/:volume/mount': {
    body: { path: '/var/data' },
    allowed: 404, // no volume 'data'
  },
  'POST /services/:namespace/:name/volumes/:volume/unmount': {
    body: {},
    allowed: 404,
  },
  'POST /services/:namespace/:name/volumes/:volume/resize': {
    body: { size: '2Gi' },
    allowed: 404,
  },
  'DELETE /services/:namespace/:name/volumes/:volume': { allowed: 404 },
};

function send(
  server: any,
  route: string,
  user: string | 'service' | undefined,
  body?: object,
) {
  const [method, path] = route.split(' ');
  const url = `/api/storage${path
    .replace(':namespace', 'default')
    .replace(':name', 'payments-api')
    .replace(':volume', 'data')}`;
  const req = (request(server) as any)[method.toLowerCase()](url);
  if (user === 'service')
    req.set('Authorization', mockCredentials.service.header());
  else if (user) req.set('Authorization', mockCredentials.user.header(user));
  return body ? req.send(body) : req;
}

describe('volume routes', () => {
  const audit: RecordedAuditEvent[] = [];
  let backend: Awaited<ReturnType<typeof startStorageBackend>>;

  beforeAll(async () => {
    backend = await startStorageBackend({
      // no clusters: an authorized change gets as far as finding where the service runs
      clusters: [],
      services: [recordingAuditor(audit)],
    });
  });

  afterAll(() => backend?.stop());

  it('has a permission case for every mutating route of the table', () => {
    expect(
      table()
        .filter(r => !r.startsWith('GET '))
        .sort(),
    ).toEqual(Object.keys(MUTATIONS).sort());
  });

  describe.each(Object.entries(MUTATIONS))('%s', (route, { body, allowed }) => {
    it.each([
      ['the owner team', 'user:default/alice'],
      ['an ops admin', 'user:default/carol'],
    ])('lets %s past the permission check', async (_who, user) => {
      const res = await send(backend.server, route, user, body);
      expect(res.status).toBe(allowed);
    });

    it('refuses another team with 403 and audits the refusal', async () => {
      audit.length = 0;
      const res = await send(backend.server, route, 'user:default/bob', body);
      expect(res.status).toBe(403);
      expect(res.body.error.message).toContain(
        'only its owners and ops admins',
      );
      expect(
        audit.filter(e => e.eventId.startsWith('storage-volume-')),
      ).toEqual([expect.objectContaining({ outcome: 'fail' })]);
    });

    it('refuses a request without identity with 401', async () => {
      expect((await send(backend.server, route, undefined, body)).status).toBe(
        401,
      );
    });

    it('refuses a service token with 403 (mutations act for users only)', async () => {
      expect((await send(backend.server, route, 'service', body)).status).toBe(
        403,
      );
    });
  });

  it('shows every volume to ops admins only', async () => {
    const route = 'GET /admin/volumes';
    expect(
      (await send(backend.server, route, 'user:default/carol')).body,
    ).toEqual({ items: [], orphanAfterDays: 7, types: [], errors: [] });
    const bob = await send(backend.server, route, 'user:default/bob');
    expect(bob.status).toBe(403);
    expect(bob.body.error.message).toContain('only ops admins may');
    expect((await send(backend.server, route, 'service')).status).toBe(403);
    expect((await send(backend.server, route, undefined)).status).toBe(401);
  });

  it.each([
    [
      { name: 'Data', type: 'nfs', size: '1Gi', accessMode: 'ReadWriteOnce' },
      'name: lower-case letters',
    ],
    [
      { name: 'data', type: 'nfs', size: '10', accessMode: 'ReadWriteOnce' },
      "size: '10' is no size with a unit",
    ],
    [
      { name: 'data', type: 'nfs', size: '2Pi', accessMode: 'ReadWriteOnce' },
      'size: at most 1Pi',
    ],
    [
      { name: 'data', type: 'nfs', size: '1Gi', accessMode: 'rw' },
      'accessMode: one of ReadWriteOnce',
    ],
    [
      { name: 'data', size: '1Gi', accessMode: 'ReadWriteOnce' },
      'type is required',
    ],
    [
      {
        name: 'data',
        type: 'nfs',
        size: '1Gi',
        accessMode: 'ReadWriteOnce',
        extra: 1,
      },
      'unknown field(s): extra',
    ],
  ])(
    'answers a bad volume %j with a 400 naming the field',
    async (body, message) => {
      const res = await send(
        backend.server,
        'POST /services/:namespace/:name/volumes',
        'user:default/alice',
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(`invalid volume: ${message}`);
    },
  );

  it.each([
    [{ path: 'var/data' }, 'path: must be absolute'],
    [{ path: '/' }, 'path: not the root folder'],
    [{ path: '/data/../etc' }, 'path: no . or .. segments'],
    [{ path: '/proc/x' }, 'path: not at or under /proc'],
    [{ path: '/sys' }, 'path: not at or under /sys'],
    [{ path: '/dev/shm' }, 'path: not at or under /dev'],
    [
      { path: '/data', subPath: '../x' },
      'subPath: a relative path inside the volume',
    ],
  ])(
    'answers a bad mount %j with a 400 naming the field',
    async (body, message) => {
      const res = await send(
        backend.server,
        'POST /services/:namespace/:name/volumes/:volume/mount',
        'user:default/alice',
        body,
      );
      expect(res.status).toBe(400);
      expect(res.body.error.message).toContain(`invalid mount: ${message}`);
    },
  );
});
