import {
  isValidEntityName,
  normalizeEntityName,
  resolveEntityNames,
  shortHash,
} from './entityNames';

describe('normalizeEntityName', () => {
  it.each([
    ['payments-api', 'payments-api'],
    ['PaymentsAPI', 'PaymentsAPI'],
    ['Payments API', 'payments-api'],
    ['  Zahlungs-Dienst (Süd) ', 'zahlungs-dienst-sud'],
    ['john.doe@acme.com', 'john.doe-acme.com'],
    ['--a__b..c--', 'a-b-c'],
    ['日本語', ''],
  ])('%j becomes %j', (raw, expected) => {
    const name = normalizeEntityName(raw);
    expect(name).toBe(expected);
    expect(name === '' || isValidEntityName(name)).toBe(true);
  });

  it('cuts long names to 63 characters without a trailing separator', () => {
    const name = normalizeEntityName(`${'a'.repeat(62)} b`);
    expect(name).toBe('a'.repeat(62));
    expect(normalizeEntityName('x'.repeat(100))).toHaveLength(63);
  });
});

describe('resolveEntityNames', () => {
  const resolve = (
    candidates: Array<[string, string]>,
    options: Partial<Parameters<typeof resolveEntityNames>[1]> = {},
  ) =>
    Object.fromEntries(
      resolveEntityNames(
        candidates.map(([key, rawName]) => ({ key, rawName })),
        { prefix: 'service', ...options },
      ),
    );

  it('keeps distinct names as they normalise', () => {
    expect(
      resolve([
        ['1', 'Payments API'],
        ['2', 'orders'],
      ]),
    ).toEqual({
      '1': 'payments-api',
      '2': 'orders',
    });
  });

  it('gives the exact name to its owner and a hash to the look-alike, in any order', () => {
    const expected = {
      a: 'payments-api',
      b: `payments-api-${shortHash('b')}`,
    };
    expect(
      resolve([
        ['a', 'payments-api'],
        ['b', 'Payments  API'],
      ]),
    ).toEqual(expected);
    expect(
      resolve([
        ['b', 'Payments  API'],
        ['a', 'payments-api'],
      ]),
    ).toEqual(expected);
  });

  it('lets the smallest key win among look-alikes, and the previous holder before it', () => {
    expect(
      resolve([
        ['2', 'Payments API'],
        ['1', 'PAYMENTS API'],
      ]),
    ).toEqual({
      '1': 'payments-api',
      '2': `payments-api-${shortHash('2')}`,
    });
    expect(
      resolve(
        [
          ['2', 'Payments API'],
          ['1', 'PAYMENTS API'],
        ],
        {
          previousHolder: name => (name === 'payments-api' ? '2' : undefined),
        },
      ),
    ).toEqual({ '1': `payments-api-${shortHash('1')}`, '2': 'payments-api' });
  });

  it('treats names differing in case only as a collision', () => {
    const names = resolve([
      ['1', 'Orders'],
      ['2', 'orders'],
    ]);
    expect(names['2']).toBe('orders');
    expect(names['1']).toBe(`orders-${shortHash('1')}`);
  });

  it('does not hand out reserved names, and names empty ones by kind', () => {
    expect(
      resolve(
        [
          ['7', 'orders'],
          ['8', '日本語'],
        ],
        { reserved: n => n === 'orders' },
      ),
    ).toEqual({
      '7': `orders-${shortHash('7')}`,
      '8': `service-${shortHash('8')}`,
    });
  });

  it('gives the same names for the same input', () => {
    const input: Array<[string, string]> = [
      ['3', 'A B'],
      ['1', 'a-b'],
      ['2', 'A  B'],
    ];
    expect(resolve(input)).toEqual(resolve([...input].reverse()));
  });
});
