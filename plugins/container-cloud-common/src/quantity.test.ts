import { parseQuantity } from './quantity';
import { quantityBytes, reportedQuantityBytes } from './contract';

describe('parseQuantity', () => {
  it.each([
    ['500m', 0.5],
    ['250m', 0.25],
    ['1', 1],
    ['2', 2],
    ['1.5', 1.5],
    ['250000u', 0.25],
    ['500u', 0.0005],
    ['512Mi', 512 * 2 ** 20],
    ['1Gi', 2 ** 30],
    ['1G', 1e9],
    ['128k', 128_000],
    ['100k', 1e5],
    ['1e3', 1000],
  ])('reads %s as %d', (text, value) => {
    expect(parseQuantity(text)).toBeCloseTo(value, 9);
  });

  it.each(['', 'lots', 'abc', '1 Gi', '1Gb', '12Zi', '1..2'])(
    'refuses %p',
    text => {
      expect(parseQuantity(text)).toBeUndefined();
    },
  );

  it('has nothing to read in a missing quantity', () => {
    expect(parseQuantity(undefined)).toBeUndefined();
  });
});

describe('quantityBytes', () => {
  it('reads a size with its unit, in bytes', () => {
    expect(quantityBytes('10Gi')).toBe(10 * 2 ** 30);
    expect(quantityBytes('500M')).toBe(500e6);
    expect(quantityBytes('1.5Ki')).toBe(1536);
  });

  it.each(['1024', '1e3', '500m', '-1Gi', '1Ei', '1 Gi', 'lots'])(
    'refuses %p as a size',
    text => {
      expect(quantityBytes(text)).toBeUndefined();
    },
  );

  it('reads what Kubernetes reports, with a unit or without', () => {
    expect(reportedQuantityBytes('1Gi')).toBe(2 ** 30);
    expect(reportedQuantityBytes('1073741824')).toBe(2 ** 30);
    expect(reportedQuantityBytes('1e3')).toBe(1000);
    expect(reportedQuantityBytes('lots')).toBeUndefined();
  });
});
