import { mockCredentials } from '@backstage/backend-test-utils';
import request from 'supertest';
import {
  chartDetailSchema,
  chartListSchema,
} from '@internal/plugin-container-cloud-common';
import {
  ALICE,
  localHelm,
  localRegistryHost,
  startAppStoreBackend,
} from '../__testUtils__/startAppStoreBackend';
import {
  classicTestRepository,
  pushTestChart,
  TEST_CHART,
} from '../__testUtils__/testCharts';
import { compareVersions } from './Catalogue';

jest.setTimeout(180_000);

describe('compareVersions', () => {
  it('orders SemVer versions, pre-releases before their release', () => {
    const sorted = ['0.2.0', '0.10.0', '0.2.0-rc.1', '1.0.0', '0.9.9'].sort(
      compareVersions,
    );
    expect(sorted).toEqual(['0.2.0-rc.1', '0.2.0', '0.9.9', '0.10.0', '1.0.0']);
  });
});

const describeLocal = localRegistryHost() ? describe : describe.skip;

describeLocal('the catalogue on the local cloud’s registry', () => {
  let backend: Awaited<ReturnType<typeof startAppStoreBackend>>;
  let classic: Awaited<ReturnType<typeof classicTestRepository>>;

  beforeAll(async () => {
    const repo = pushTestChart();
    classic = await classicTestRepository();
    backend = await startAppStoreBackend({
      appStore: {
        helm: localHelm(),
        repositories: [
          repo,
          // nothing listens on port 9 of loopback: reported, never silently empty
          { name: 'down', url: 'oci://127.0.0.1:9/charts', plainHttp: true },
          { name: 'classic-down', url: 'http://127.0.0.1:9/charts' },
          { name: 'classic', url: classic.url },
        ],
      },
    });
  });

  afterAll(async () => {
    await backend?.stop();
    await classic?.close();
  });

  it('lists the registry’s charts with their versions, and the unreachable repositories with their error', async () => {
    const res = await request(backend.server)
      .get('/api/app-store/charts')
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    const list = chartListSchema.strict().parse(res.body);
    const tiny = list.items.find(
      c => c.repository === 'test' && c.name === TEST_CHART,
    );

    expect(tiny).toBeDefined();
    expect(tiny!.versions.map(v => v.version).slice(0, 2)).toEqual([
      '0.2.0',
      '0.1.0',
    ]);
    expect(tiny!.description).toBe("A tiny database for the app store's tests");
    expect(tiny!.keywords).toEqual(['test', 'database']);
    const byName = Object.fromEntries(list.repositories.map(r => [r.name, r]));
    expect(byName.test).toMatchObject({ ok: true, kind: 'oci' });
    expect(byName.down.ok).toBe(false);
    expect(byName.down.error).toMatch(/could not be reached/);
    expect(byName['classic-down']).toMatchObject({ ok: false, kind: 'index' });
  });

  it('shows one version’s README, values.schema.json and values.yaml', async () => {
    const res = await request(backend.server)
      .get(`/api/app-store/charts/test/${TEST_CHART}/versions/0.1.0`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(res.status).toBe(200);
    const detail = chartDetailSchema.strict().parse(res.body);
    expect(detail.readme).toContain('tiny-db 0.1.0');
    expect(detail.defaultValues).toContain('preset: small');
    expect(
      (detail.valuesSchema as { properties: Record<string, unknown> })
        .properties,
    ).toHaveProperty('preset');
  });

  it('answers 404 in words for a version that does not exist, 400 for a repository that is not configured', async () => {
    const missing = await request(backend.server)
      .get(`/api/app-store/charts/test/${TEST_CHART}/versions/9.9.9`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(missing.status).toBe(404);
    expect(missing.body.error.message).toMatch(
      /no chart 'tiny-db' version 9.9.9 in repository 'test'/,
    );
    const unknown = await request(backend.server)
      .get(`/api/app-store/charts/nope/${TEST_CHART}/versions/0.1.0`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(unknown.status).toBe(400);
    expect(unknown.body.error.message).toMatch(
      /repository: no repository 'nope'/,
    );
  });

  it('reads a classic repository’s index.yaml, and a version’s detail through helm --repo', async () => {
    const res = await request(backend.server)
      .get('/api/app-store/charts')
      .set('Authorization', mockCredentials.user.header(ALICE));
    const list = chartListSchema.parse(res.body);
    expect(list.repositories.find(r => r.name === 'classic')).toMatchObject({
      ok: true,
      kind: 'index',
    });
    const tiny = list.items.find(
      c => c.repository === 'classic' && c.name === TEST_CHART,
    );
    expect(tiny?.versions.map(v => v.version)).toEqual(['0.2.0', '0.1.0']);
    expect(tiny?.versions[0].appVersion).toBe('1.2');
    const detail = await request(backend.server)
      .get(`/api/app-store/charts/classic/${TEST_CHART}/versions/0.2.0`)
      .set('Authorization', mockCredentials.user.header(ALICE));
    expect(detail.status).toBe(200);
    expect(detail.body.readme).toContain('tiny-db 0.2.0');
    expect(detail.body.valuesSchema.properties).toHaveProperty('replicas');
  });

  it('asks for a token', async () => {
    const res = await request(backend.server).get('/api/app-store/charts');
    expect(res.status).toBe(401);
  });
});
