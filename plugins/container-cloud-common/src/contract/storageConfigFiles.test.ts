import {
  configFileDiffQuerySchema,
  configFileRollbackSchema,
  configFileSaveSchema,
  configFileVersionParamsSchema,
  configFileVersionsQuerySchema,
} from './storageConfigFiles';

describe('config file version numbers', () => {
  // the database keeps versions as 32-bit integers: a larger number is a bad request, not a
  // database error (the API fuzzer found a 500 for ?before=9007199254740990)
  const tooLarge = 2 ** 31;

  it('are refused above what the database holds, in paths, queries and bodies', () => {
    expect(
      configFileVersionsQuerySchema.safeParse({ before: String(tooLarge) })
        .success,
    ).toBe(false);
    expect(
      configFileDiffQuerySchema.safeParse({ from: '1', to: String(tooLarge) })
        .success,
    ).toBe(false);
    expect(
      configFileVersionParamsSchema.safeParse({
        namespace: 'default',
        name: 'payments-api',
        set: 'app-config',
        version: String(tooLarge),
      }).success,
    ).toBe(false);
    expect(
      configFileRollbackSchema.safeParse({ version: tooLarge, baseVersion: 1 })
        .success,
    ).toBe(false);
    expect(
      configFileSaveSchema.safeParse({
        baseVersion: tooLarge,
        files: [{ name: 'a.yaml', content: 'a: 1' }],
      }).success,
    ).toBe(false);
  });

  it('are taken up to that limit', () => {
    expect(
      configFileVersionsQuerySchema.parse({ before: String(tooLarge - 1) }),
    ).toEqual({ before: tooLarge - 1, limit: 20 });
    expect(
      configFileRollbackSchema.parse({ version: 2, baseVersion: tooLarge - 1 }),
    ).toMatchObject({ version: 2, baseVersion: tooLarge - 1 });
    expect(
      configFileSaveSchema.safeParse({
        baseVersion: tooLarge - 1,
        files: [{ name: 'a.yaml', content: 'a: 1' }],
      }).success,
    ).toBe(true);
  });
});
