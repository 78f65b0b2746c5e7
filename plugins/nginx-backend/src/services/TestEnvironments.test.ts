import { renderDomain } from '../render';
import { testEnvironmentDomain } from './TestEnvironments';

describe('testEnvironmentDomain', () => {
  const config = {
    cluster: 'local',
    wildcardDomain: 'localhost',
    environment: 'test',
    port: 16480,
  };
  const service = {
    cluster: 'local-a',
    namespace: 'payments',
    name: 'payments-api',
    kubernetesId: 'payments-api',
    port: 'http',
  };

  it('names <service>.<environment>.<wildcard> and follows the Kubernetes Service', () => {
    const domain = testEnvironmentDomain(
      config,
      'component:default/payments-api',
      service,
    )!;
    expect(domain).toMatchObject({
      name: 'testenv-payments-api',
      owner: 'component:default/payments-api',
      serverNames: ['payments-api.test.localhost'],
      listen: [{ port: 16480 }],
    });
    expect(renderDomain(domain).text).toContain('listen 16480;');
  });

  it('listens on one address when configured, as the local cloud does (loopback)', () => {
    const domain = testEnvironmentDomain(
      { ...config, address: '127.0.0.1' },
      'component:default/payments-api',
      service,
    )!;
    expect(renderDomain(domain).text).toContain('listen 127.0.0.1:16480;');
  });

  it('leaves out a service whose id is no valid name', () => {
    expect(
      testEnvironmentDomain(config, 'component:default/x', {
        ...service,
        kubernetesId: 'Not_Valid',
      }),
    ).toBeUndefined();
  });
});
