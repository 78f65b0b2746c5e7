import { serviceCreateSchema } from '@internal/plugin-container-cloud-common';
import { parseInput } from '@internal/plugin-container-cloud-node';
import {
  CREATE_REQUEST_ANNOTATION,
  createRequestHash,
  desiredWorkload,
  specDifferences,
} from './ServiceCreator';

const REQUEST = serviceCreateSchema(20).parse({
  cluster: 'local-a',
  namespace: 'payments',
  deployment: 'payments-web',
  image: 'registry.example.com/payments/web:1.0.0',
  port: 8080,
  replicas: 2,
  resources: { limits: { cpu: '500m', memory: '128Mi' } },
  readinessProbe: { path: '/healthz', port: 8080 },
});

describe('the create request', () => {
  it.each([
    [{ port: 0 }, 'port is 1 to 65535'],
    [{ replicas: 21 }, 'replicas cannot be above 20'],
    [{ image: 'Not An Image' }, 'not a valid image reference'],
    [{ env: [{ name: '1X', value: '' }] }, 'an env var name starts with'],
    [
      { resources: { limits: { cpu: 'lots' } } },
      'limits.cpu is a Kubernetes quantity',
    ],
    [
      {
        resources: { requests: { memory: '1Gi' }, limits: { memory: '512Mi' } },
      },
      'resources.requests.memory (1Gi) is above resources.limits.memory (512Mi)',
    ],
    [
      { readinessProbe: { path: 'healthz', port: 8080 } },
      'a probe path starts with /',
    ],
    [{ replicas: 1, surprise: true }, 'surprise'],
  ])('answers %j with a message naming the field', (change, message) => {
    expect(() =>
      parseInput(serviceCreateSchema(20), { ...REQUEST, ...change }),
    ).toThrow(message);
  });
});

describe('specDifferences', () => {
  const { deployment } = desiredWorkload(REQUEST, 'payments-api');

  it('finds none in what it would create, nor in the apiserver defaults or another spelling of a quantity', () => {
    const stored = JSON.parse(JSON.stringify(deployment));
    const container = stored.spec.template.spec.containers[0];
    container.resources.limits.cpu = '0.5';
    Object.assign(container.readinessProbe, {
      timeoutSeconds: 1,
      periodSeconds: 10,
    });
    container.terminationMessagePath = '/dev/termination-log';
    expect(specDifferences(REQUEST, stored)).toEqual([]);
  });

  it('names each field that differs', () => {
    const stored = JSON.parse(JSON.stringify(deployment));
    stored.spec.replicas = 3;
    stored.spec.template.spec.containers[0].image =
      'registry.example.com/payments/web:2.0.0';
    stored.spec.template.spec.containers[0].resources.limits.memory = '256Mi';
    expect(specDifferences(REQUEST, stored)).toEqual([
      'replicas: 3 ≠ 2',
      'image: registry.example.com/payments/web:2.0.0 ≠ registry.example.com/payments/web:1.0.0',
      'resources.limits.memory: 256Mi ≠ 128Mi',
    ]);
  });

  it('labels the Deployment, its pods and its Service with the kubernetes id', () => {
    const { service } = desiredWorkload(REQUEST, 'payments-api');
    for (const labels of [
      deployment.metadata?.labels,
      deployment.spec?.template.metadata?.labels,
      service.spec?.selector,
    ]) {
      expect(labels).toMatchObject({
        'backstage.io/kubernetes-id': 'payments-api',
      });
    }
  });
});

describe('createRequestHash', () => {
  const hash = createRequestHash(REQUEST);

  it('is the same for the same workload whatever the key order, where it goes or dryRun', () => {
    const reverse = (value: unknown): unknown =>
      value && typeof value === 'object' && !Array.isArray(value)
        ? Object.fromEntries(
            Object.entries(value)
              .reverse()
              .map(([k, v]) => [k, reverse(v)]),
          )
        : value;
    const reordered = reverse(REQUEST) as typeof REQUEST;
    expect(Object.keys(reordered)).not.toEqual(Object.keys(REQUEST));
    expect(createRequestHash(reordered)).toBe(hash);
    expect(
      createRequestHash({
        ...REQUEST,
        cluster: 'local-b',
        namespace: 'other',
        deployment: 'payments-web-2',
        dryRun: true,
      }),
    ).toBe(hash);
    // the default container spelled out, and an empty env, ask for the same
    expect(createRequestHash({ ...REQUEST, container: 'app', env: [] })).toBe(
      hash,
    );
    expect(hash).toMatch(/^sha256:[0-9a-f]{64}$/);
  });

  it.each([
    [{ image: 'registry.example.com/payments/web:2.0.0' }],
    [{ port: 8081 }],
    [{ replicas: 3 }],
    [{ container: 'web' }],
    [{ env: [{ name: 'LOG_LEVEL', value: 'debug' }] }],
    [{ resources: { limits: { cpu: '250m', memory: '128Mi' } } }],
    [{ readinessProbe: { path: '/ready', port: 8080 } }],
    [{ livenessProbe: { path: '/healthz', port: 8080 } }],
  ])('differs when the request asks for %j', change => {
    expect(createRequestHash({ ...REQUEST, ...change })).not.toBe(hash);
  });

  it('is recorded on the Deployment and the Service the create makes', () => {
    const { deployment, service } = desiredWorkload(REQUEST, 'payments-api');
    expect(deployment.metadata?.annotations).toEqual({
      [CREATE_REQUEST_ANNOTATION]: hash,
    });
    expect(service.metadata?.annotations).toEqual({
      [CREATE_REQUEST_ANNOTATION]: hash,
    });
  });
});
