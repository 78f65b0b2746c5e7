import { nginxVersionIdSchema } from './nginxRequests';

describe('nginxVersionIdSchema', () => {
  it('takes a version number from a path or a query', () => {
    expect(nginxVersionIdSchema.parse('1')).toBe(1);
    expect(nginxVersionIdSchema.parse('2147483647')).toBe(2147483647);
  });

  // the fuzzer sent 9007199254740990: PostgreSQL's integer id column refused it with a 500
  it('refuses what no version can be, in words', () => {
    const message = (input: string) =>
      nginxVersionIdSchema.safeParse(input).error?.issues[0].message;
    expect(message('0')).toBe('versions start at 1');
    expect(message('1.5')).toBe('a version is a whole number');
    expect(message('2147483648')).toBe('no version has a number that large');
    expect(message('9007199254740990')).toBe(
      'no version has a number that large',
    );
  });
});
