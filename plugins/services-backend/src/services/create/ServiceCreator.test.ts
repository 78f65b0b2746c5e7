import { serviceCreateSchema } from '@internal/plugin-container-cloud-common';
import { parseInput } from '@internal/plugin-container-cloud-node';
import { desiredWorkload, specDifferences } from './ServiceCreator';

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
