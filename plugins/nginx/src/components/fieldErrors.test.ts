import { fieldErrors } from './fieldErrors';

describe('fieldErrors', () => {
  it('splits a 400 into its fields', () => {
    expect(
      fieldErrors(
        'invalid domain: serverNames.0: bad name; listen.0.port: a port is 1..65535',
      ),
    ).toEqual({
      serverNames: 'serverNames.0: bad name',
      listen: 'listen.0.port: a port is 1..65535',
    });
  });

  it('ties an nginx -t failure to the field its line came from', () => {
    expect(
      fieldErrors(
        "nginx -t failed for domain 'shop' at grayRelease.header: [emerg] x",
      ),
    ).toEqual({ grayRelease: 'nginx -t: [emerg] x' });
  });

  it('keeps other messages whole', () => {
    expect(
      fieldErrors('you may not save domains: only ops admins may'),
    ).toEqual({
      _: 'you may not save domains: only ops admins may',
    });
  });
});
