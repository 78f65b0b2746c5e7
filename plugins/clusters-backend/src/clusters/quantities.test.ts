import { addAmounts, amountsOf, podRequests } from './quantities';

describe('amountsOf', () => {
  it('reads cpu and memory of a resource list', () => {
    expect(amountsOf({ cpu: '250m', memory: '512Mi' })).toEqual({
      cpuCores: 0.25,
      memoryBytes: 512 * 2 ** 20,
    });
  });

  it.each(['', 'abc', '12Zi', '1..2'])('counts %p as nothing', text =>
    expect(amountsOf({ cpu: text, memory: text })).toEqual({
      cpuCores: 0,
      memoryBytes: 0,
    }),
  );
});

describe('podRequests', () => {
  it('sums containers and takes the larger init container, per resource', () => {
    expect(
      podRequests({
        containers: [
          {
            name: 'a',
            resources: { requests: { cpu: '100m', memory: '64Mi' } },
          },
          { name: 'b', resources: { requests: { cpu: '200m' } } },
          { name: 'c' },
        ],
        initContainers: [
          { name: 'i', resources: { requests: { cpu: '1', memory: '16Mi' } } },
        ],
      }),
    ).toEqual({ cpuCores: 1, memoryBytes: 64 * 2 ** 20 });
    expect(addAmounts()).toEqual({ cpuCores: 0, memoryBytes: 0 });
  });
});
