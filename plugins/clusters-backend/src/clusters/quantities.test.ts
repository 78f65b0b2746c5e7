import { addAmounts, parseQuantity, podRequests } from './quantities';

describe('parseQuantity', () => {
  it.each([
    ['250m', 0.25],
    ['1.5', 1.5],
    ['2', 2],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['100k', 1e5],
    ['1e3', 1000],
    ['500u', 0.0005],
  ])('reads %s', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'abc', '12Zi', '1..2'])('counts %p as nothing', text =>
    expect(parseQuantity(text)).toBe(0),
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
