import { errorsUnder, fieldErrors } from './fieldErrors';

describe('fieldErrors', () => {
  it('ties each problem of a 400 to the field path it names', () => {
    const errors = fieldErrors(
      'invalid codeflow: port: port is between 1 and 65535; targets.0.placements.1: component:default/payments-api may not run in local-b/other: its workloads are only in local-a/payments; name is required',
    );
    expect(errors).toEqual({
      port: 'port is between 1 and 65535',
      'targets.0.placements.1':
        'component:default/payments-api may not run in local-b/other: its workloads are only in local-a/payments',
      name: 'required',
    });
    expect(errorsUnder(errors, 'targets.0')).toContain(
      'targets.0.placements.1: component',
    );
    expect(errorsUnder(errors, 'env')).toBeUndefined();
  });

  it('keeps what names no field apart', () => {
    expect(fieldErrors('the codeflow name build is taken')).toEqual({
      _: 'the codeflow name build is taken',
    });
    expect(
      fieldErrors(
        'targets.1: you may not roll component:default/other from a codeflow',
      ),
    ).toEqual({
      'targets.1': 'you may not roll component:default/other from a codeflow',
    });
  });
});
