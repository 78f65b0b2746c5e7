import type { V1EndpointSlice } from '@kubernetes/client-node';
import { mockServices } from '@backstage/backend-test-utils';
import { DefaultContainerCloudClusters } from '@internal/plugin-container-cloud-node';
import { KubernetesEndpoints, readyEndpoints } from './KubernetesEndpoints';

function slice(
  ports: Array<{ name?: string; port: number }>,
  endpoints: V1EndpointSlice['endpoints'],
  addressType = 'IPv4',
): V1EndpointSlice {
  return { addressType, ports, endpoints, metadata: { name: 's' } };
}

describe('readyEndpoints', () => {
  const slices = [
    slice(
      [
        { name: 'http', port: 8080 },
        { name: 'metrics', port: 9090 },
      ],
      [
        { addresses: ['10.0.0.1'], conditions: { ready: true } },
        { addresses: ['10.0.0.2'], conditions: {} },
        { addresses: ['10.0.0.3'], conditions: { ready: false } },
        {
          addresses: ['10.0.0.4'],
          conditions: { ready: true, terminating: true },
        },
      ],
    ),
    slice([{ name: 'http', port: 8080 }], [{ addresses: ['fd00::1'] }], 'IPv6'),
  ];

  it('keeps ready, not terminating IPv4 endpoints, by port number or name', () => {
    const expected = [
      { address: '10.0.0.1', port: 8080 },
      { address: '10.0.0.2', port: 8080 },
    ];
    expect(readyEndpoints(slices, 8080)).toEqual(expected);
    expect(readyEndpoints(slices, 'http')).toEqual(expected);
    expect(readyEndpoints(slices, 'metrics')).toEqual([
      { address: '10.0.0.1', port: 9090 },
      { address: '10.0.0.2', port: 9090 },
    ]);
    expect(readyEndpoints(slices, 7000)).toEqual([]);
  });
});

describe('KubernetesEndpoints', () => {
  it('answers 503 in words when a cluster cannot be read, and tries again on next use', async () => {
    // nothing listens on port 1
    const clusters = new DefaultContainerCloudClusters(
      [
        {
          name: 'down',
          url: 'https://127.0.0.1:1',
          serviceAccountToken: 'x',
          skipTLSVerify: true,
        },
      ],
      mockServices.logger.mock(),
    );
    const endpoints = new KubernetesEndpoints(clusters, 5_000);
    const source = {
      cluster: 'down',
      namespace: 'payments',
      service: 'payments-api',
      port: 8080,
    };
    try {
      for (let attempt = 0; attempt < 2; attempt++) {
        const error = await endpoints.lookup([source]).catch(e => e);
        expect(error).toMatchObject({ name: 'ServiceUnavailableError' });
        expect(error.message).toContain(
          "Kubernetes cluster 'down' cannot be read now",
        );
      }
    } finally {
      endpoints.stop();
      await clusters.stop();
    }
  });
});
