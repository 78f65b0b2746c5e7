import type { V1Node, V1Pod } from '@kubernetes/client-node';
import { freeCpu } from './freeCapacity';

const node = (
  name: string,
  cpu: string,
  options: { ready?: boolean; cordoned?: boolean } = {},
): V1Node => ({
  metadata: { name },
  spec: { unschedulable: options.cordoned ?? false },
  status: {
    allocatable: { cpu },
    conditions: [
      { type: 'Ready', status: options.ready === false ? 'False' : 'True' },
    ],
  },
});

const pod = (
  nodeName: string | undefined,
  requests: string[],
  phase = 'Running',
  init: string[] = [],
): V1Pod => ({
  spec: {
    nodeName,
    containers: requests.map((cpu, i) => ({
      name: `c${i}`,
      resources: { requests: { cpu } },
    })),
    initContainers: init.map((cpu, i) => ({
      name: `i${i}`,
      resources: { requests: { cpu } },
    })),
  },
  status: { phase },
});

describe('freeCpu', () => {
  it('is allocatable less requested on schedulable nodes', () => {
    expect(
      freeCpu(
        [node('a', '4'), node('b', '2000m')],
        [pod('a', ['500m', '250m']), pod('b', ['1'])],
      ),
    ).toBe(4.25);
  });

  it('leaves out cordoned and not-Ready nodes, finished and unbound pods', () => {
    expect(
      freeCpu(
        [
          node('a', '4'),
          node('cordoned', '8', { cordoned: true }),
          node('down', '8', { ready: false }),
        ],
        [
          pod('a', ['1']),
          pod('a', ['2'], 'Succeeded'),
          pod('a', ['2'], 'Failed'),
          pod(undefined, ['2'], 'Pending'),
          pod('cordoned', ['1']),
        ],
      ),
    ).toBe(3);
  });

  it("counts an init container's peak as the scheduler does, and an overcommitted node as 0", () => {
    expect(
      freeCpu([node('a', '2')], [pod('a', ['100m'], 'Running', ['1'])]),
    ).toBe(1);
    expect(freeCpu([node('a', '1'), node('b', '1')], [pod('a', ['3'])])).toBe(
      1,
    );
  });
});
