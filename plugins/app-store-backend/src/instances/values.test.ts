import { InputError } from '@backstage/errors';
import { checkValues, installValues, mergeValues } from './values';

const SCHEMA = {
  type: 'object',
  additionalProperties: false,
  properties: {
    preset: { type: 'string', enum: ['small', 'medium', 'large'] },
    replicas: { type: 'integer', minimum: 1, maximum: 3 },
    storage: {
      type: 'object',
      additionalProperties: false,
      required: ['size'],
      properties: { size: { type: 'string', pattern: '^[1-9][0-9]*Gi$' } },
    },
    auth: {
      type: 'object',
      properties: {
        user: { type: 'string' },
        password: { type: 'string', minLength: 12 },
      },
    },
  },
};
const DEFAULTS = {
  preset: 'small',
  replicas: 1,
  storage: { size: '8Gi' },
  auth: { user: 'app' },
};

describe('installValues', () => {
  it('maps preset, storage and password to the charts’ values, the password only as a secret value', () => {
    expect(
      installValues({
        preset: 'medium',
        storage: '20Gi',
        password: 'a-long-password',
        values: { replicas: 2 },
      }),
    ).toEqual({
      values: { replicas: 2, preset: 'medium', storage: { size: '20Gi' } },
      secretValues: { auth: { password: 'a-long-password' } },
    });
  });

  it('moves a password given among the free values out of them', () => {
    expect(
      installValues({
        values: { auth: { user: 'u', password: 'p-p-p-p-p-p-p' } },
      }),
    ).toEqual({
      values: { auth: { user: 'u' } },
      secretValues: { auth: { password: 'p-p-p-p-p-p-p' } },
    });
  });

  it('leaves the password to the chart when none is given', () => {
    expect(installValues({ preset: 'small' })).toEqual({
      values: { preset: 'small' },
    });
  });
});

describe('checkValues', () => {
  it('accepts values the chart’s schema accepts, over the chart’s defaults', () => {
    expect(() =>
      checkValues(
        SCHEMA,
        installValues({
          preset: 'large',
          storage: '2Gi',
          password: 'twelve-chars',
        }),
        DEFAULTS,
      ),
    ).not.toThrow();
  });

  it('refuses with a 400 naming each field, and never echoes a value', () => {
    let error: unknown;
    try {
      checkValues(
        SCHEMA,
        installValues({
          storage: '2Ti',
          password: 'short-pw',
          values: { replicas: 9, colour: 'red' },
        }),
        DEFAULTS,
      );
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(InputError);
    const message = (error as Error).message;
    expect(message).toMatch(/^the chart refuses these values: /);
    expect(message).toContain('values.replicas: must be <= 3');
    expect(message).toContain('values.storage.size: must match pattern');
    expect(message).toContain(
      'values.auth.password: must NOT have fewer than 12 characters',
    );
    expect(message).toContain('values.colour: the chart has no such value');
    expect(message).not.toContain('short-pw');
  });

  it('does nothing for a chart without a schema', () => {
    expect(() =>
      checkValues(undefined, { values: { anything: 1 } }),
    ).not.toThrow();
  });

  it('merges like helm: objects merge, the rest replaces', () => {
    expect(
      mergeValues({ a: { b: 1, c: 2 }, d: [1] }, { a: { c: 3 }, d: [2] }),
    ).toEqual({
      a: { b: 1, c: 3 },
      d: [2],
    });
  });
});
