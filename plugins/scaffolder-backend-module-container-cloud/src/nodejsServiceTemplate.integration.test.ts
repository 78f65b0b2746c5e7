import { mockCredentials } from '@backstage/backend-test-utils';
import { AppsV1Api, CoreV1Api } from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import {
  DEFAULT_SERVER_STATUS,
  TEST_ENVIRONMENTS,
  testDomainHost,
  testDomainName,
  useGoldenPathBackend,
} from './__testUtils__/goldenPath';
import { GUEST } from './__testUtils__/startSuiteBackend';

jest.setTimeout(900_000);

// "New Node.js service" through the scaffolder's own task API as the guest, on the local cloud:
// the repository on the local git server, the entity in the catalog (read through the module's
// URL reader), the Deployments in both clusters, the codeflow and its first build rolled out, and
// its test domain: the nginx backend's test environments (synced by the scheduler every few
// seconds here) publish <name>.test.example.com on a scratch nginx on loopback, its upstream
// following the new Service's ready pods, and nginx serves it (kwok's pods do not answer, so
// nginx's answer is its 502, not the app's: anything but the port's default server's 421). A
// second task with the same values finds all of it, says so and completes, duplicating nothing;
// one with another spec stops at the service step with a 409 in words and changes nothing. When
// the service's workloads are removed, so is its test domain.
const lc = useLocalCloud({ namespacePrefix: 'scaffold-golden' });
const NAME = `h8-golden-${Date.now().toString(36)}`;
const HOST = testDomainHost(NAME);
const DOMAIN = testDomainName(NAME);

/** Reads until `done` likes the value (the scheduler's syncs, nginx's reloads), for at most `ms`. */
async function eventually<T>(
  what: string,
  read: () => Promise<T>,
  done: (value: T) => boolean,
  ms = 180_000,
): Promise<T> {
  const deadline = Date.now() + ms;
  let last: T | undefined;
  for (;;) {
    last = await read();
    if (done(last)) return last;
    if (Date.now() > deadline) {
      throw new Error(`${what} never happened; last: ${JSON.stringify(last)}`);
    }
    await new Promise(r => setTimeout(r, 1000));
  }
}

describe('the "New Node.js service" template through the scaffolder', () => {
  const golden = useGoldenPathBackend(lc, {
    folder: 'nodejs-service',
    name: NAME,
    description: 'A Node.js service',
    initialImage: 'registry.example.com/mirror/node:22-slim',
    testEnvironments: true,
  });

  const nginxApi = (path: string) =>
    golden
      .api()
      .get(`/api/nginx/${path}`)
      .set('Authorization', mockCredentials.user.header(GUEST));

  /** The test domains the nginx backend holds for the service now, as the guest reads them. */
  async function testDomains() {
    const res = await nginxApi(`domains?cluster=${TEST_ENVIRONMENTS.cluster}`);
    if (res.status !== 200) throw new Error(JSON.stringify(res.body));
    return (res.body.items as Array<{ name: string }>).filter(
      d => d.name === DOMAIN,
    );
  }

  /** `address:port` of the new service's ready pods in `cluster`, sorted. */
  async function readyMembers(cluster: string): Promise<string[]> {
    const pods = await lc
      .kubeConfig(cluster as any)
      .makeApiClient(CoreV1Api)
      .listNamespacedPod({
        namespace: lc.namespace,
        labelSelector: `backstage.io/kubernetes-id=${NAME}`,
      });
    return pods.items
      .filter(
        p =>
          !p.metadata?.deletionTimestamp &&
          p.status?.podIP &&
          p.status.conditions?.some(
            c => c.type === 'Ready' && c.status === 'True',
          ),
      )
      .map(p => `${p.status!.podIP}:8080`)
      .sort();
  }

  /** The members of the test domain's upstream in the newest published version's file. */
  async function publishedMembers(): Promise<string[]> {
    const versions = await nginxApi(
      `versions?cluster=${TEST_ENVIRONMENTS.cluster}`,
    );
    const [newest] = versions.body.items ?? [];
    if (!newest) return [];
    const version = await nginxApi(
      `versions/${newest.id}?cluster=${TEST_ENVIRONMENTS.cluster}`,
    );
    const file: string = version.body.files?.[`${DOMAIN}.conf`] ?? '';
    return [...file.matchAll(/^\s*server (\d+\.\d+\.\d+\.\d+:\d+);$/gm)]
      .map(m => m[1])
      .sort();
  }

  it('creates a running, built service; a re-run finds it and completes; another spec is refused in words', async () => {
    const first = await golden.runTask(GUEST);
    if (first.task.status !== 'completed') throw new Error(first.log);
    // the first step found nothing and said what would be made
    for (const cluster of golden.clusters) {
      expect(first.stepLog('check')).toContain(
        `${cluster}/${lc.namespace}: would create deployment ${NAME}`,
      );
    }
    expect(first.log).toContain(`created repository ${NAME}`);
    expect(first.log).toMatch(/run #1: succeeded/);
    const made = await golden.whatExists(GUEST);
    expect(made).toMatchObject({
      repositories: 1,
      entities: 1,
      locations: 1,
      codeflows: 1,
      runs: [1],
    });
    for (const cluster of golden.clusters) {
      // one Deployment, running the image the codeflow built
      expect(made.deployments[cluster]).toHaveLength(1);
      expect(made.deployments[cluster][0].image).toContain(`/${NAME}`);
    }

    // its test domain, made by the test environments' scheduled sync (nobody asked for it: the
    // guest may not save domains), following the Service of the first cluster it was found in
    const [firstCluster] = golden.clusters;
    const [domain] = await eventually(
      'the test domain',
      testDomains,
      d => d.length > 0,
    );
    expect(domain).toMatchObject({
      name: DOMAIN,
      cluster: TEST_ENVIRONMENTS.cluster,
      owner: `component:default/${NAME}`,
      serverNames: [HOST],
      upstreams: [
        {
          name: 'app',
          members: [],
          kubernetes: [
            {
              cluster: firstCluster,
              namespace: lc.namespace,
              service: NAME,
              port: 'http',
            },
          ],
        },
      ],
    });
    // published with the Service's ready pods as the upstream's members
    const members = await eventually(
      'the published members following the ready pods',
      async () => ({
        published: await publishedMembers(),
        ready: await readyMembers(firstCluster),
      }),
      m =>
        m.ready.length > 0 &&
        JSON.stringify(m.published) === JSON.stringify(m.ready),
    );
    expect(members.published).toEqual(members.ready);
    // and nginx serves the host on loopback: not its default server any more
    const answer = await eventually(
      'nginx serving the test domain',
      () => golden.testDomainAnswer(HOST),
      status => status !== undefined && status !== DEFAULT_SERVER_STATUS,
    );
    expect(answer).not.toBe(DEFAULT_SERVER_STATUS);
    expect(answer).toBeDefined();
    // a host no domain serves still gets the default server: the answer above is the domain's
    expect(await golden.testDomainAnswer(`other-${HOST}`)).toBe(
      DEFAULT_SERVER_STATUS,
    );

    // the same values again: every step finds what the first run made and goes on
    const second = await golden.runTask(GUEST);
    if (second.task.status !== 'completed') throw new Error(second.log);
    expect(second.stepLog('check')).toContain(
      `component:default/${NAME}: exists: made by an earlier run`,
    );
    for (const cluster of golden.clusters) {
      expect(second.stepLog('check')).toContain(
        `${cluster}/${lc.namespace}: deployment ${NAME} exists: made by an earlier run`,
      );
      expect(second.stepLog('service')).toContain(
        `${cluster}/${lc.namespace}: deployment ${NAME} unchanged`,
      );
    }
    expect(second.stepLog('publish')).toContain('nothing pushed');
    expect(second.stepLog('catalog')).toContain(
      `component:default/${NAME} is in the catalog`,
    );
    expect(second.stepLog('codeflow')).toContain('is already there, unchanged');
    // the run step reused the first build: idempotent by commit
    expect(second.stepLog('run')).toMatch(
      /run #1 already built \w+ and rolled it out .*: nothing built again/,
    );
    const again = await golden.whatExists(GUEST);
    expect(again).toEqual(made);

    // another spec (two replicas per cluster): the service step refuses with a 409 in words and
    // nothing changes (the Deployments keep their generation: no write)
    const other = await golden.runTask(GUEST, { replicas: 2 });
    expect(other.task.status).toBe('failed');
    expect(other.stepStatus.check).toBe('completed');
    expect(other.stepStatus.service).toBe('failed');
    expect(other.log).toMatch(
      /deployment .* exists with another spec \(replicas: 1 ≠ 2; image: .*, made by a create request with other values; nothing was changed/,
    );
    for (const later of ['codeflow', 'run']) {
      expect(other.stepStatus[later]).toBe('skipped');
    }
    expect(await golden.whatExists(GUEST)).toEqual(made);
    // the re-runs left the test domain as it was
    expect(await testDomains()).toEqual([domain]);

    // the service's workloads removed: the next sync removes its test domain, nginx stops serving it
    for (const cluster of golden.clusters) {
      const kc = lc.kubeConfig(cluster);
      await kc
        .makeApiClient(AppsV1Api)
        .deleteNamespacedDeployment({ name: NAME, namespace: lc.namespace });
      await kc
        .makeApiClient(CoreV1Api)
        .deleteNamespacedService({ name: NAME, namespace: lc.namespace });
    }
    await eventually(
      'the test domain removed',
      testDomains,
      d => d.length === 0,
    );
    expect(
      await eventually(
        'nginx no longer serving the test domain',
        () => golden.testDomainAnswer(HOST),
        status => status === DEFAULT_SERVER_STATUS,
      ),
    ).toBe(DEFAULT_SERVER_STATUS);
  });
});
