import {
  configEnvVarSchema,
  filePathSchema,
  isInFolder,
} from './serviceRequests';

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

describe('configEnvVarSchema', () => {
  const ref = { secretKeyRef: { name: 'cache-auth', key: 'password' } };
  it.each([
    [{ name: 'A', value: '1' }],
    [{ name: 'A', value: '' }],
    [{ name: 'REDIS_PASSWORD', valueFrom: ref }],
  ])('accepts %j', variable => {
    expect(configEnvVarSchema.safeParse(variable).success).toBe(true);
  });

  it.each([
    ['a value and a Secret', { name: 'A', value: '1', valueFrom: ref }],
    ['neither', { name: 'A' }],
    [
      'a config map (not offered)',
      { name: 'A', valueFrom: { configMapKeyRef: { name: 'c', key: 'k' } } },
    ],
    [
      'a Secret name Kubernetes refuses',
      {
        name: 'A',
        valueFrom: { secretKeyRef: { name: 'Bad_Name', key: 'k' } },
      },
    ],
    [
      'a key Kubernetes refuses',
      { name: 'A', valueFrom: { secretKeyRef: { name: 's', key: 'a/b' } } },
    ],
  ])('refuses %s', (_, variable) => {
    expect(configEnvVarSchema.safeParse(variable).success).toBe(false);
  });
});
