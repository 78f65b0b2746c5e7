/**
 * The project's charts (charts/ at the repository root) checked with the real helm the local
 * cloud builds and against the local cloud's apiserver: lint, render for every preset, values the
 * schema refuses, a server-side dry run of every rendered object, the versions `local-cloud seed`
 * pushed to its registry, and an install → upgrade → uninstall of each on local-a (the generated
 * password is kept across the upgrade; the volume goes with the instance).
 *
 * helm comes from the local cloud (`local-cloud up` builds it); when it is missing these tests
 * fail, they never skip.
 */
import {
  AppsV1Api,
  CoreV1Api,
  KubernetesObject,
  KubernetesObjectApi,
  loadAllYaml,
} from '@kubernetes/client-node';
import { useLocalCloud } from '@internal/local-cloud/testing';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const lc = useLocalCloud({ namespacePrefix: 'charts' });

const CHARTS_DIR = path.resolve(__dirname, '../../../../charts');
const CHARTS = ['mysql', 'redis', 'zookeeper', 'kafka'] as const;
type Chart = (typeof CHARTS)[number];
const PRESETS = ['small', 'medium', 'large'] as const;
const NEWEST = '0.2.0';
const OLDER = '0.1.0';

/** What each chart promises a program reading its client Service. */
const CONNECTION: Record<
  Chart,
  { port: number; portName: string; user?: string; secretKey: string }
> = {
  mysql: {
    port: 3306,
    portName: 'mysql',
    user: 'app',
    secretKey: 'mysql-password',
  },
  redis: { port: 6379, portName: 'redis', secretKey: 'redis-password' },
  zookeeper: {
    port: 2181,
    portName: 'client',
    user: 'app',
    secretKey: 'zookeeper-password',
  },
  kafka: {
    port: 9092,
    portName: 'kafka',
    user: 'app',
    secretKey: 'kafka-password',
  },
};

let helmHome: string;
/** A namespace of local-a that enforces the 'restricted' Pod Security Standard. */
let restrictedNamespace: string;
let localA: CoreV1Api;

beforeAll(async () => {
  helmHome = fs.mkdtempSync(path.join(os.tmpdir(), 'charts-helm-'));
  restrictedNamespace = `${lc.namespace}-restricted`;
  // kept for afterAll: useLocalCloud's own afterAll may run first
  localA = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
  await localA.createNamespace({
    body: {
      metadata: {
        name: restrictedNamespace,
        labels: {
          'pod-security.kubernetes.io/enforce': 'restricted',
          'local-cloud/test-namespace': 'true',
        },
      },
    },
  });
});

afterAll(async () => {
  fs.rmSync(helmHome, { recursive: true, force: true });
  await localA?.deleteNamespace({ name: restrictedNamespace });
});

/** Runs the local cloud's helm; never throws, the caller checks the outcome. */
function helm(args: string[]) {
  const binary = lc.info.helm.binary;
  if (!fs.existsSync(binary)) {
    throw new Error(
      `helm is missing at ${binary}: 'node packages/local-cloud/bin/local-cloud up' builds it`,
    );
  }
  const result = spawnSync(binary, args, {
    encoding: 'utf8',
    env: {
      ...process.env,
      HELM_CACHE_HOME: path.join(helmHome, 'cache'),
      HELM_CONFIG_HOME: path.join(helmHome, 'config'),
      HELM_DATA_HOME: path.join(helmHome, 'data'),
      KUBECONFIG: lc.info.kubeconfig,
    },
  });
  if (result.error) throw result.error;
  return {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
  };
}

function helmOk(args: string[]): string {
  const result = helm(args);
  if (result.status !== 0) {
    throw new Error(`helm ${args.join(' ')} failed: ${result.stderr}`);
  }
  return result.stdout;
}

function render(chart: Chart, set: string[] = [], release = 'demo') {
  const out = helmOk([
    'template',
    release,
    path.join(CHARTS_DIR, chart),
    '--namespace',
    lc.namespace,
    '--skip-tests',
    ...set.flatMap(s => ['--set', s]),
  ]);
  return (loadAllYaml(out) as KubernetesObject[]).filter(Boolean);
}

function byKind(objects: KubernetesObject[], kind: string) {
  return objects.filter(o => o.kind === kind) as any[];
}

function clientService(objects: KubernetesObject[]) {
  const services = byKind(objects, 'Service').filter(
    s => s.metadata.annotations?.['container-cloud.io/app-store-port-name'],
  );
  expect(services).toHaveLength(1);
  return services[0];
}

const registryHost = () => new URL(lc.info.registry.url).host;

describe.each(CHARTS)('the %s chart', chart => {
  it('passes helm lint --strict', () => {
    const result = helm(['lint', '--strict', path.join(CHARTS_DIR, chart)]);
    expect(result.stderr).toBe('');
    expect(result.stdout).toContain('1 chart(s) linted, 0 chart(s) failed');
    expect(result.status).toBe(0);
  });

  it.each(PRESETS)(
    'renders with the %s preset: StatefulSet, volume, both Services, Secret, probes, non-root',
    preset => {
      const objects = render(chart, [`preset=${preset}`]);
      const [sts] = byKind(objects, 'StatefulSet');
      expect(sts).toBeDefined();
      const pod = sts.spec.template.spec;
      const [container] = pod.containers;
      // resources from the preset: requests and limits, larger with each preset
      expect(container.resources.requests.cpu).toBeDefined();
      expect(container.resources.requests.memory).toBeDefined();
      expect(container.resources.limits.cpu).toBeDefined();
      expect(container.resources.limits.memory).toBeDefined();
      // non-root
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        runAsUser: expect.any(Number),
        fsGroup: expect.any(Number),
      });
      expect(pod.securityContext.runAsUser).toBeGreaterThan(0);
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.readinessProbe).toBeDefined();
      expect(container.livenessProbe).toBeDefined();
      // the volume
      expect(sts.spec.volumeClaimTemplates).toHaveLength(1);
      expect(
        sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage,
      ).toBe('8Gi');
      // headless + client Service
      const services = byKind(objects, 'Service');
      expect(services.map(s => s.spec.clusterIP === 'None').sort()).toEqual([
        false,
        true,
      ]);
      expect(sts.spec.serviceName).toBe(
        services.find(s => s.spec.clusterIP === 'None').metadata.name,
      );
      // labels
      expect(sts.metadata.labels).toMatchObject({
        'app.kubernetes.io/name': chart,
        'app.kubernetes.io/instance': 'demo',
        'app.kubernetes.io/managed-by': 'Helm',
        'helm.sh/chart': `${chart}-${NEWEST}`,
      });
      // a generated password: 24 letters and digits
      const [secret] = byKind(objects, 'Secret');
      const password = Buffer.from(
        secret.data[CONNECTION[chart].secretKey],
        'base64',
      ).toString('utf8');
      expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
    },
  );

  it('sizes each preset above the one before it', () => {
    const memory = PRESETS.map(preset => {
      const [sts] = byKind(render(chart, [`preset=${preset}`]), 'StatefulSet');
      const limit: string =
        sts.spec.template.spec.containers[0].resources.limits.memory;
      const [, n, unit] = limit.match(/^(\d+)(Mi|Gi)$/)!;
      return Number(n) * (unit === 'Gi' ? 1024 : 1);
    });
    expect(memory[1]).toBeGreaterThan(memory[0]);
    expect(memory[2]).toBeGreaterThan(memory[1]);
  });

  it('names port, user and password Secret on its client Service, and uses a given password and storage size', () => {
    const objects = render(chart, [
      'auth.password=a-given-password-1',
      'storage.size=20Gi',
    ]);
    const service = clientService(objects);
    const expected = CONNECTION[chart];
    const annotations = service.metadata.annotations;
    expect(annotations['container-cloud.io/app-store-port-name']).toBe(
      expected.portName,
    );
    expect(annotations['container-cloud.io/app-store-user']).toBe(
      expected.user,
    );
    const port = service.spec.ports.find(
      (p: any) => p.name === expected.portName,
    );
    expect(port.port).toBe(expected.port);
    const [secretName, key] =
      annotations['container-cloud.io/app-store-password-secret'].split('/');
    const secret = byKind(objects, 'Secret').find(
      s => s.metadata.name === secretName,
    );
    expect(key).toBe(expected.secretKey);
    expect(Buffer.from(secret.data[key], 'base64').toString('utf8')).toBe(
      'a-given-password-1',
    );
    const [sts] = byKind(objects, 'StatefulSet');
    expect(
      sts.spec.volumeClaimTemplates[0].spec.resources.requests.storage,
    ).toBe('20Gi');
  });

  it.each([
    ['an unknown preset', 'preset=huge', "at '/preset'"],
    ['a size without a unit', 'storage.size=10 gigs', "at '/storage/size'"],
    ['a size above 10Ti', 'storage.size=11Ti', "at '/storage/size'"],
    ['a short password', 'auth.password=short', "at '/auth/password'"],
    [
      'an unknown top-level key',
      'replicaz=3',
      "additional properties 'replicaz' not allowed",
    ],
    [
      'an unknown nested key',
      'image.registy=example.com',
      "additional properties 'registy' not allowed",
    ],
  ])('refuses %s by its values.schema.json', (_what, set, message) => {
    const result = helm([
      'template',
      'demo',
      path.join(CHARTS_DIR, chart),
      '--set',
      set,
    ]);
    expect(result.status).not.toBe(0);
    expect(result.stderr).toContain(
      "values don't meet the specifications of the schema",
    );
    expect(result.stderr).toContain(message);
  });

  it("renders objects local-a's apiserver accepts (server-side dry run)", async () => {
    const client = KubernetesObjectApi.makeApiClient(lc.kubeConfig('local-a'));
    const variants =
      chart === 'zookeeper' || chart === 'kafka'
        ? [['preset=large', 'replicas=3'], ['replicas=5']]
        : [['preset=large'], ['auth.password=a-given-password-1']];
    // the longest release name the store allows (40 characters) keeps every name within limits
    const longest = `${'a'.repeat(39)}1`;
    const renders = [[], ...variants].map(set => render(chart, set));
    renders.push(render(chart, [], longest));
    for (const objects of renders) {
      expect(objects.length).toBeGreaterThanOrEqual(4);
      for (const object of objects) {
        object.metadata = { ...object.metadata, namespace: lc.namespace };
        const accepted = await client.create(object, undefined, 'All');
        expect(accepted.metadata?.name).toBe(object.metadata.name);
      }
      // a dry run made nothing
      const statefulSets = await lc
        .kubeConfig('local-a')
        .makeApiClient(AppsV1Api)
        .listNamespacedStatefulSet({ namespace: lc.namespace });
      expect(statefulSets.items).toEqual([]);
    }
  }, 60_000);

  it("runs pods the 'restricted' Pod Security Standard admits", async () => {
    const core = lc.kubeConfig('local-a').makeApiClient(CoreV1Api);
    const [sts] = byKind(render(chart), 'StatefulSet');
    // the pod its StatefulSet would make, dry-run in a namespace that enforces 'restricted'
    const accepted = await core.createNamespacedPod({
      namespace: restrictedNamespace,
      dryRun: 'All',
      body: {
        apiVersion: 'v1',
        kind: 'Pod',
        metadata: { ...sts.spec.template.metadata, name: `${chart}-0` },
        spec: {
          ...sts.spec.template.spec,
          volumes: [
            ...(sts.spec.template.spec.volumes ?? []),
            { name: 'data', persistentVolumeClaim: { claimName: 'data' } },
          ],
        },
      },
    });
    expect(accepted.metadata?.name).toBe(`${chart}-0`);
    // and the namespace does refuse a pod that may run as root
    const refused = await core
      .createNamespacedPod({
        namespace: restrictedNamespace,
        dryRun: 'All',
        body: {
          metadata: { name: 'rooted' },
          spec: { containers: [{ name: 'c', image: 'example.com/c:1' }] },
        },
      })
      .catch(error => error);
    expect(String(refused.body ?? refused)).toContain('violates PodSecurity');
  });

  it.each([NEWEST, OLDER])(
    "is in the local cloud's registry at version %s (helm show chart)",
    version => {
      const shown = helmOk([
        'show',
        'chart',
        `oci://${registryHost()}/charts/${chart}`,
        '--version',
        version,
        '--plain-http',
      ]);
      expect(shown).toContain(`name: ${chart}\n`);
      expect(shown).toContain(`version: ${version}\n`);
      expect(shown).toMatch(/icon: data:image\/svg\+xml;base64,/);
      expect(shown).toContain('container-cloud.io/source-digest: sha256:');
    },
  );
});

describe('installed from the registry on local-a', () => {
  it.each(CHARTS)(
    '%s: 0.1.0 runs on kwok, the upgrade to 0.2.0 keeps the generated password, the uninstall removes the volume',
    async chart => {
      const kc = lc.kubeConfig('local-a');
      const core = kc.makeApiClient(CoreV1Api);
      const apps = kc.makeApiClient(AppsV1Api);
      const release = `it-${chart}`;
      const ref = `oci://${registryHost()}/charts/${chart}`;
      const common = [
        '--kube-context',
        'local-a',
        '--namespace',
        lc.namespace,
        '--plain-http',
      ];
      helmOk(['install', release, ref, '--version', OLDER, ...common]);
      try {
        const service = await core.listNamespacedService({
          namespace: lc.namespace,
          labelSelector: `app.kubernetes.io/instance=${release},app.kubernetes.io/component=client`,
        });
        const [secretName, key] =
          service.items[0].metadata!.annotations![
            'container-cloud.io/app-store-password-secret'
          ].split('/');
        const before = await core.readNamespacedSecret({
          namespace: lc.namespace,
          name: secretName,
        });
        const password = before.data![key];
        expect(Buffer.from(password, 'base64').toString()).toMatch(
          /^[A-Za-z0-9]{24}$/,
        );
        // a release whose name contains the chart's names the objects after the release alone
        const stsName = release;
        // kwok runs the pod once its volume is bound (the local cloud's volume pool)
        for (;;) {
          const sts = await apps.readNamespacedStatefulSet({
            namespace: lc.namespace,
            name: stsName,
          });
          if ((sts.status?.readyReplicas ?? 0) >= 1) break;
          // the jest timeout bounds this loop
          await new Promise(resolve => setTimeout(resolve, 250));
        }
        helmOk(['upgrade', release, ref, '--version', NEWEST, ...common]);
        const after = await core.readNamespacedSecret({
          namespace: lc.namespace,
          name: secretName,
        });
        expect(after.data![key]).toBe(password);
        // every kept value (Kafka's KRaft cluster id too) is the same after the upgrade
        expect(after.data).toEqual(before.data);
        const sts = await apps.readNamespacedStatefulSet({
          namespace: lc.namespace,
          name: stsName,
        });
        expect(sts.metadata?.labels?.['helm.sh/chart']).toBe(
          `${chart}-${NEWEST}`,
        );
        const history = JSON.parse(
          helmOk([
            'history',
            release,
            '--kube-context',
            'local-a',
            '--namespace',
            lc.namespace,
            '-o',
            'json',
          ]),
        );
        expect(history.map((h: any) => h.chart)).toEqual([
          `${chart}-${OLDER}`,
          `${chart}-${NEWEST}`,
        ]);
      } finally {
        helmOk([
          'uninstall',
          release,
          '--kube-context',
          'local-a',
          '--namespace',
          lc.namespace,
          '--wait',
        ]);
      }
      // the StatefulSet's claim goes with the instance (persistentVolumeClaimRetentionPolicy)
      for (;;) {
        const claims = await core.listNamespacedPersistentVolumeClaim({
          namespace: lc.namespace,
          labelSelector: `app.kubernetes.io/instance=${release}`,
        });
        if (claims.items.every(c => c.metadata?.deletionTimestamp)) break;
        await new Promise(resolve => setTimeout(resolve, 250));
      }
    },
    180_000,
  );
});
