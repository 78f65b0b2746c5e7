import { filePathSchema, isInFolder } from './serviceRequests';

describe('isInFolder', () => {
  it.each([
    ['/var/log/app.log', '/var/log', true],
    ['/var/log/app.log', '/var/log/', true],
    ['/var/log/nginx/access.log', '/var/log', true],
    ['/var/logs-x/app.log', '/var/log', false],
    ['/var/logapp.log', '/var/log/', false],
    ['/var/log', '/var/log', false],
    ['/etc/passwd', '/', true],
  ])('%s in %s: %s', (file, folder, expected) => {
    expect(isInFolder(file, folder)).toBe(expected);
  });
});

describe('filePathSchema', () => {
  it('matches allowed folders on whole path segments, with or without a trailing /', () => {
    const schema = filePathSchema(['/var/log', '/tmp/']);
    expect(schema.safeParse('/var/log/app.log').success).toBe(true);
    expect(schema.safeParse('/tmp/x.log').success).toBe(true);
    const refused = schema.safeParse('/var/logs-x/app.log');
    expect(refused.success).toBe(false);
    expect(refused.error?.issues[0].message).toBe(
      'files may be downloaded from /var/log, /tmp/ only',
    );
    expect(schema.safeParse('/tmpfoo/x.log').success).toBe(false);
  });
});

describe('filePathSchema on paths that are not normalised', () => {
  const schema = filePathSchema(['/var/log']);
  it.each([
    '/var/log/../../etc/passwd',
    '/var/log/./app.log',
    '/var/log//app.log',
    '/var/log/app/..',
    '/var/log/app/.',
    '/var/log/',
  ])('refuses %s', path => {
    expect(schema.safeParse(path).success).toBe(false);
  });

  it('accepts names that merely start with dots', () => {
    expect(schema.safeParse('/var/log/.hidden.log').success).toBe(true);
    expect(schema.safeParse('/var/log/..app.log').success).toBe(true);
  });
});
